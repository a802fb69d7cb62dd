/**
 * Artillery helpers for load/artillery.yml: each virtual user is a fresh user with its own JWT (HS256, signed with
 * the service's JWT_SECRET: from the environment, else the development secret `npm start` generated in
 * DATA_DIR, ./.data by default), and builds realistic events. No dependencies: node's crypto only.
 */
const { createHmac, randomUUID } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function jwtSecret() {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = join(process.env.DATA_DIR || '.data', 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET;
  throw new Error(
    'Set JWT_SECRET to the secret of the service under load (or run from the project folder after npm start)',
  );
}

/* global Buffer */
const SECRET = jwtSecret();
const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function sign(sub, roles) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, roles, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const MODULES = ['editor', 'search', 'chat', 'calendar', 'mail'];
const ACTIONS = ['open', 'search', 'edit', 'apply_suggestion', 'undo', 'save', 'share', 'close'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

function event(session, i) {
  return {
    eventType: 'interaction',
    clientEventId: randomUUID(),
    context: { module: pick(MODULES), action: i % 3 === 0 ? 'open' : pick(ACTIONS), sessionId: session },
    data: {
      outcome: Math.random() < 0.9 ? 'success' : 'failure',
      durationMs: Math.floor(Math.random() * 2000),
      text: 'x'.repeat(120),
    },
  };
}

/** A new user per virtual user, with its token. */
function newUser(context, _events, done) {
  context.vars.userId = randomUUID();
  context.vars.token = sign(context.vars.userId, ['user']);
  context.vars.session = randomUUID();
  return done();
}

function makeBatch(context, _events, done) {
  context.vars.batch = { events: Array.from({ length: 50 }, (_, i) => event(context.vars.session, i)) };
  return done();
}

function makeEvent(context, _events, done) {
  context.vars.event = event(context.vars.session, Math.floor(Math.random() * 10));
  return done();
}

function makePrediction(context, _events, done) {
  context.vars.prediction = { module: pick(MODULES), recentActions: [pick(ACTIONS), pick(ACTIONS)] };
  return done();
}

module.exports = { newUser, makeBatch, makeEvent, makePrediction };

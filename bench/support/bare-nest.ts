/**
 * The baseline of the cached-read benchmark: a bare NestJS application on Fastify with one GET route answering a
 * fixed JSON body (given as a file), no guards, pipes or interceptors.
 * Run: node dist/bench/support/bare-nest.js <port> <bodyFile>
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';

const [port, bodyFile] = process.argv.slice(2);
const body = JSON.parse(readFileSync(bodyFile, 'utf8')) as unknown;

@Controller()
class BareController {
  @Get('bare')
  get(): unknown {
    return body;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(port), '127.0.0.1');
  // A clean exit on SIGTERM, so a CPU profile (BENCH_PROFILE_DIR) gets written.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  process.send?.('ready');
}

void main();

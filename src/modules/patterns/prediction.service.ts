import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PATTERNS_MINED } from './mining.service';
import { sequenceSignature } from './miners/sequence.miner';
import { PatternsRepository } from './patterns.repository';

export interface Prediction {
  action: string;
  confidence: number;
  support: number;
  context: string[];
}

interface Continuation {
  action: string;
  confidence: number;
  support: number;
}

/** Continuations of every context seen in a module's sequence patterns, keyed by the context's signature. */
type ModuleModel = Map<string, Continuation[]>;

/** How long a module's model is reused before it is read again (a finished run also drops it at once). */
const MODEL_TTL_MS = 60_000;

/**
 * Next-action prediction from the published sequence patterns: a pattern (a1 … an) says "after a1 … an-1, users
 * did an" with confidence P(an | a1 … an-1). The longest suffix of the recent actions that is a known context
 * answers first; remaining places are filled from shorter contexts (back-off), never repeating an action.
 */
@Injectable()
export class PredictionService {
  private readonly models = new Map<string, { model: Promise<ModuleModel>; at: number }>();

  constructor(private readonly patterns: PatternsRepository) {}

  async predict(module: string, recentActions: string[], limit: number): Promise<Prediction[]> {
    const model = await this.model(module);
    const out: Prediction[] = [];
    const chosen = new Set<string>();
    for (let n = Math.min(recentActions.length, longestContext(model)); n >= 1 && out.length < limit; n--) {
      const context = recentActions.slice(-n);
      for (const next of model.get(sequenceSignature(context)) ?? []) {
        if (out.length >= limit) break;
        if (chosen.has(next.action)) continue;
        chosen.add(next.action);
        out.push({ action: next.action, confidence: next.confidence, support: next.support, context });
      }
    }
    return out;
  }

  @OnEvent(PATTERNS_MINED)
  forget(): void {
    this.models.clear();
  }

  private model(module: string): Promise<ModuleModel> {
    const cached = this.models.get(module);
    if (cached && Date.now() - cached.at < MODEL_TTL_MS) return cached.model;
    const model = this.build(module);
    this.models.set(module, { model, at: Date.now() });
    model.catch(() => this.models.delete(module));
    return model;
  }

  private async build(module: string): Promise<ModuleModel> {
    const model: ModuleModel = new Map();
    for (const row of await this.patterns.activeSequences(module)) {
      const actions = (row.items as { actions?: unknown }).actions;
      if (!Array.isArray(actions) || actions.length < 2 || row.confidence === null) continue;
      const key = sequenceSignature(actions.slice(0, -1) as string[]);
      const list = model.get(key) ?? [];
      list.push({ action: actions[actions.length - 1] as string, confidence: row.confidence, support: row.support });
      model.set(key, list);
    }
    for (const list of model.values()) list.sort((a, b) => b.confidence - a.confidence || b.support - a.support || a.action.localeCompare(b.action));
    return model;
  }
}

function longestContext(model: ModuleModel): number {
  let longest = 0;
  for (const key of model.keys()) longest = Math.max(longest, key.split('>').length);
  return longest;
}

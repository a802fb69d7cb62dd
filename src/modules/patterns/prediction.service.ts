import { Injectable } from '@nestjs/common';
import { sequenceSignature } from './miners/sequence.miner';
import { PatternsCache } from './patterns-cache.service';
import { PatternsRepository, type SequenceRow } from './patterns.repository';

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
interface ModuleModel {
  next: Map<string, Continuation[]>;
  /** Actions in the longest context. */
  longest: number;
}

/** Modules whose model is kept (any name may be asked for; the least recently built go first). */
const MAX_MODELS = 1000;

/**
 * Next-action prediction from the published sequence patterns: a pattern (a1 … an) says "after a1 … an-1, users
 * did an" with confidence P(an | a1 … an-1). The longest suffix of the recent actions that is a known context
 * answers first; remaining places are filled from shorter contexts (back-off), never repeating an action.
 * The module's patterns come through the two-tier cache; the model built from them lives until the next run.
 */
@Injectable()
export class PredictionService {
  /** Each module's model, built once per epoch (the latest finished run) from the cached sequence patterns. */
  private readonly models = new Map<string, { model: Promise<ModuleModel>; epoch: string }>();

  constructor(
    private readonly patterns: PatternsRepository,
    private readonly cache: PatternsCache,
  ) {}

  async predict(module: string, recentActions: string[], limit: number): Promise<Prediction[]> {
    const model = await this.model(module);
    const out: Prediction[] = [];
    const chosen = new Set<string>();
    for (let n = Math.min(recentActions.length, model.longest); n >= 1 && out.length < limit; n--) {
      const context = recentActions.slice(-n);
      for (const next of model.next.get(sequenceSignature(context)) ?? []) {
        if (out.length >= limit) break;
        if (chosen.has(next.action)) continue;
        chosen.add(next.action);
        out.push({ action: next.action, confidence: next.confidence, support: next.support, context });
      }
    }
    return out;
  }

  private async model(module: string): Promise<ModuleModel> {
    const epoch = await this.cache.currentEpoch();
    const cached = this.models.get(module);
    if (cached?.epoch === epoch) return cached.model;
    const model = this.build(module);
    const entry = { model, epoch };
    if (this.models.size >= MAX_MODELS) this.models.delete(this.models.keys().next().value as string);
    this.models.set(module, entry);
    model.catch(() => {
      if (this.models.get(module) === entry) this.models.delete(module);
    });
    return model;
  }

  private async build(module: string): Promise<ModuleModel> {
    const next = new Map<string, Continuation[]>();
    const rows = await this.cache.read<SequenceRow[]>(`sequences:${module}`, () =>
      this.patterns.activeSequences(module),
    );
    let longest = 0;
    for (const row of rows) {
      const actions = (row.items as { actions?: unknown }).actions;
      if (!Array.isArray(actions) || actions.length < 2 || row.confidence === null) continue;
      const key = sequenceSignature(actions.slice(0, -1) as string[]);
      const list = next.get(key) ?? [];
      list.push({ action: actions[actions.length - 1] as string, confidence: row.confidence, support: row.support });
      next.set(key, list);
      longest = Math.max(longest, actions.length - 1);
    }
    for (const list of next.values())
      list.sort((a, b) => b.confidence - a.confidence || b.support - a.support || a.action.localeCompare(b.action));
    return { next, longest };
  }
}

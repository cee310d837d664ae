import type { Db, Tx } from '../../store/store.ts';
import { registeredMethodTypes } from '../../methods/list.ts';
import { listStages, stageMembers, type Stage } from './rollout.ts';

/**
 * The registration campaign of the roll-out: after a normal sign-in, a person
 * in a stage whose campaign has started and who has not registered the
 * stage's preferred method is asked to register it. They may snooze the
 * prompt up to the stage's limit; after that, registering is required.
 */
export interface CampaignPrompt {
  stageId: string;
  stageName: string;
  method: string;
  snoozesLeft: number;
  required: boolean;
  enforceAt: string;
}

async function inStage(db: Db | Tx, stage: Stage, userId: string): Promise<boolean> {
  return (await stageMembers(db, stage)).some((m) => m.id === userId);
}

export async function campaignPrompt(
  db: Db | Tx,
  userId: string,
  now = new Date(),
  /** What the caller has read already in this step: the user's registered method types, the stages. */
  known: { methods?: readonly string[]; stages?: readonly Stage[] } = {},
): Promise<CampaignPrompt | null> {
  const stages = (known.stages ?? (await listStages(db))).filter((s) => s.campaignFrom <= now.toISOString());
  if (stages.length === 0) return null;
  const registered = new Set<string>(known.methods ?? (await registeredMethodTypes(db, userId)));
  for (const stage of stages) {
    if (registered.has(stage.preferredMethod) || !(await inStage(db, stage, userId))) continue;
    const row = await db.selectFrom('rollout_campaign').select('snoozes').where('user_id', '=', userId).where('stage_id', '=', stage.id).executeTakeFirst();
    const used = Number(row?.snoozes ?? 0);
    const left = Math.max(0, stage.snoozeLimit - used);
    return { stageId: stage.id, stageName: stage.name, method: stage.preferredMethod, snoozesLeft: left, required: left === 0, enforceAt: stage.enforceAt };
  }
  return null;
}

/** Counts one "not now"; false when no snooze is left (registration is required). */
export async function snoozeCampaign(db: Db | Tx, userId: string, stageId: string, now = new Date()): Promise<boolean> {
  const stage = (await listStages(db)).find((s) => s.id === stageId);
  if (!stage) return false;
  const at = now.toISOString();
  const row = await db.selectFrom('rollout_campaign').select('snoozes').where('user_id', '=', userId).where('stage_id', '=', stageId).executeTakeFirst();
  if (!row) {
    if (stage.snoozeLimit < 1) return false;
    await db.insertInto('rollout_campaign').values({ user_id: userId, stage_id: stageId, snoozes: 1, last_prompted_at: at }).execute();
    return true;
  }
  // Conditional update: two tabs snoozing at once cannot both get the last snooze.
  const r = await db
    .updateTable('rollout_campaign')
    .set((eb) => ({ snoozes: eb('snoozes', '+', 1), last_prompted_at: at }))
    .where('user_id', '=', userId)
    .where('stage_id', '=', stageId)
    .where('snoozes', '<', stage.snoozeLimit)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

import type { Store } from '../../../store/store.ts';
import * as push from '../../../methods/push/requests.ts';
import { pushRecorder } from '../../../monitor/push-events.ts';

/**
 * The push calls the HTTP routes make, with the sign-in log and alerts as
 * their recorder (src/methods/push/ reports; src/monitor/ writes).
 */
type SendResult = Awaited<ReturnType<typeof push.sendPushRequest>>;

export function sendPushRequest(store: Store, input: push.NewPushRequest, now?: Date): Promise<SendResult> {
  return push.sendPushRequest(store, pushRecorder, input, now);
}

export function noteUnanswered(store: Store, r: push.PushRequest, username: string | null, now?: Date): Promise<string | null> {
  return push.noteUnanswered(store, pushRecorder, r, username, now);
}

export function approvePush(store: Store, who: push.Answerer, requestId: string, number: string, signature: string, now?: Date): Promise<push.AnswerResult> {
  return push.approvePush(store, pushRecorder, who, requestId, number, signature, now);
}

export function denyPush(store: Store, who: push.Answerer, requestId: string, report: boolean, now?: Date): Promise<push.AnswerResult> {
  return push.denyPush(store, pushRecorder, who, requestId, report, now);
}

import type { Config } from '../config/config.ts';
import { loadMasterKey } from '../config/master-key.ts';
import { SecretBox } from '../config/secret-box.ts';
import { openStore, type Store } from '../store/store.ts';
import { createLogger, type Logger } from './logger.ts';

/** What every capability needs at run time, built once per process. */
export interface AppContext {
  config: Config;
  store: Store;
  logger: Logger;
  /** Seals secrets at rest with the master key. */
  secrets: SecretBox;
}

export async function createContext(config: Config, options: { logger?: Logger } = {}): Promise<AppContext> {
  const secrets = new SecretBox(loadMasterKey(config));
  const store = await openStore(config.database);
  const logger = options.logger ?? createLogger(config.logLevel);
  return { config, store, logger, secrets };
}

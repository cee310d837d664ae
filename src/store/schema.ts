import type { DirectoryTables } from '../directory/tables.ts';
import type { AuditTables } from '../audit/tables.ts';
import type { PasswordTables } from '../methods/password/tables.ts';
import type { MethodsTables } from '../methods/tables.ts';
import type { SigninTables } from '../signin/tables.ts';
import type { StrengthTables } from '../policy/store/strength-catalog.ts';
import type { OidcTables } from '../protocols/oidc/tables.ts';
import type { SamlTables } from '../protocols/saml/tables.ts';
import type { RadiusTables } from '../protocols/radius/tables.ts';
import type { RecoveryTables } from '../recovery/tables.ts';
import type { AlertTables } from '../monitor/alerts.ts';
import type { SigninLogTables } from '../monitor/signin-log.ts';
import type { PolicyTables } from '../policy/store/tables.ts';
import type { ScimTables } from '../protocols/scim/tables.ts';
import type { LdapTables } from '../protocols/ldap/tables.ts';
import type { OutboxTables } from '../monitor/outbox/tables.ts';
import type { PostureTables } from '../monitor/posture/fatigue-notice.ts';
import type { DetectionTables } from '../monitor/detections/tables.ts';
import type { NotifyTables } from '../monitor/notify/tables.ts';
import type { ConsoleTables } from '../http/routes/console/tables.ts';
import type { StoreInfoTables } from './backup/tables.ts';

/**
 * The whole store as Kysely sees it. Each capability declares its own tables
 * beside its code and is composed here; migrations under ./migrations create them.
 *
 * Conventions shared by both engines: ids are text (UUIDs), times are ISO-8601
 * UTC text (so they sort and compare as strings), booleans are 0/1 integers,
 * structured values are JSON text.
 */
export interface Database extends DirectoryTables, AuditTables, PasswordTables, MethodsTables, SigninTables, StrengthTables, OidcTables, RadiusTables, SamlTables, PolicyTables, RecoveryTables, AlertTables, SigninLogTables, ScimTables, LdapTables, OutboxTables, PostureTables, ConsoleTables, DetectionTables, NotifyTables, StoreInfoTables {}

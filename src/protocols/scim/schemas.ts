/**
 * What this service provider supports, published at ServiceProviderConfig,
 * ResourceTypes and Schemas (RFC 7643 §5–§7), so a SCIM client can discover it.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The most resources one list response carries; a larger count is cut to this. */
export const MAX_RESULTS = 200;

interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'dateTime' | 'reference';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'default';
  uniqueness: 'none' | 'server';
  subAttributes?: Attribute[];
  referenceTypes?: string[];
}

function attr(name: string, description: string, more: Partial<Attribute> = {}): Attribute {
  return { name, type: 'string', multiValued: false, description, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...more };
}

const multiRef = (name: string, description: string, refType: string, mutability: Attribute['mutability']): Attribute =>
  attr(name, description, {
    type: 'complex',
    multiValued: true,
    mutability,
    subAttributes: [
      attr('value', 'the id of the resource', { mutability }),
      attr('$ref', 'its URI', { type: 'reference', referenceTypes: [refType], mutability }),
      attr('display', 'its name', { mutability: 'readOnly' }),
    ],
  });

const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: 'User',
    description: 'A person or service account',
    attributes: [
      attr('userName', 'the name the person signs in with', { required: true, uniqueness: 'server' }),
      attr('name', 'the parts of the name', {
        type: 'complex',
        subAttributes: [attr('formatted', 'the full name'), attr('givenName', 'given name'), attr('familyName', 'family name')],
      }),
      attr('displayName', 'the name shown'),
      attr('title', 'job title'),
      attr('active', 'false: the account is disabled and its sessions and tokens ended', { type: 'boolean' }),
      attr('emails', 'the e-mail address (Tessera keeps the primary one)', {
        type: 'complex',
        multiValued: true,
        subAttributes: [attr('value', 'the address'), attr('type', 'work, home or other'), attr('primary', 'the one used', { type: 'boolean' })],
      }),
      multiRef('groups', 'the groups the person is in (changed through Groups)', 'Group', 'readOnly'),
    ],
  },
  {
    id: GROUP_SCHEMA,
    name: 'Group',
    description: 'A Tessera group, named by displayName',
    attributes: [attr('displayName', 'the group name', { required: true, uniqueness: 'server' }), multiRef('members', 'the people in the group', 'User', 'readWrite')],
  },
  {
    id: ENTERPRISE_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise user',
    attributes: [
      attr('employeeNumber', 'employee number'),
      attr('costCenter', 'cost centre'),
      attr('organization', 'organisation'),
      attr('division', 'division'),
      attr('department', 'department'),
      attr('manager', 'the manager', {
        type: 'complex',
        subAttributes: [attr('value', 'the id of the manager'), attr('displayName', 'the manager\'s name', { mutability: 'readOnly' })],
      }),
    ],
  },
];

const meta = (base: string, resourceType: string, id: string) => ({ resourceType, location: `${base}/${resourceType}s/${id}` });

export function schemaResources(base: string) {
  return SCHEMAS.map((s) => ({ schemas: [SCHEMA_SCHEMA], ...s, meta: meta(base, 'Schema', s.id) }));
}

export function resourceTypes(base: string) {
  return [
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'User', name: 'User', endpoint: '/Users', description: 'People and service accounts', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }], meta: meta(base, 'ResourceType', 'User') },
    { schemas: [RESOURCE_TYPE_SCHEMA], id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Groups', schema: GROUP_SCHEMA, schemaExtensions: [], meta: meta(base, 'ResourceType', 'Group') },
  ];
}

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SPC_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Bearer token', description: 'An API token of the provisioning role: Authorization: Bearer <token>', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

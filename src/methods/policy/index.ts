export { defaultPolicy, methodPolicySchema, policyAllows, POLICY_METHODS, type MethodPolicy, type PolicySubject } from './model.ts';
export { getMethodPolicy, getMethodsPolicy, methodAllowedFor, methodUsable, setMethodPolicy } from './check.ts';

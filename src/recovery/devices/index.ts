/** Device lifecycle: bind methods to devices; lost, retired, replaced devices; offboarding. */
export {
  bindMethodToDevice, credentialsOnDevice, DEVICE_BOUND_TABLES, presentBoundTables,
  type BindInput, type BoundCredential, type DeviceBoundTable,
} from './bindings.ts';
export { replaceDevice, replacementSchema, reportDeviceLost, retireDevice, type LostDeviceResult, type LostOptions, type RetiredDevice } from './lifecycle.ts';
export { offboardUser, type Offboarded } from './offboard.ts';

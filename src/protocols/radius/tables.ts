import type { AppCategory } from '../../monitor/posture/categories.ts';
/**
 * RADIUS clients: the VPN concentrators, firewalls and Wi-Fi controllers (NAS)
 * allowed to ask Tessera, each recognised by the packet's source address.
 */
export type RadiusMode = 'challenge' | 'append';

export interface RadiusClientsTable {
  id: string;
  /** Shown in logs and usable in policies as the app `radius:<name>`. */
  name: string;
  name_key: string;
  /** An address or a CIDR block the NAS sends from. */
  address: string;
  /** The shared secret, sealed with the master key (purpose 'radius-secret'). */
  secret_sealed: string;
  /** challenge: Access-Challenge for the second factor; append: password and code in one User-Password. */
  mode: RadiusMode;
  /** mail, cloud, vpn, critical or other (the posture checklist; a VPN concentrator is vpn). */
  category: AppCategory;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface RadiusTables {
  radius_clients: RadiusClientsTable;
}

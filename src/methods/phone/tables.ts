/** SMS and voice one-time codes (restricted methods). */
export type PhoneChannel = 'sms' | 'voice';

export interface PhoneNumbersTable {
  id: string;
  user_id: string;
  channel: PhoneChannel;
  /** E.164, e.g. +15551234567. */
  number: string;
  status: 'pending' | 'active' | 'removed';
  created_at: string;
  verified_at: string | null;
  last_used_at: string | null;
}

export interface PhoneCodesTable {
  id: string;
  user_id: string;
  phone_id: string;
  number: string;
  /** 'register' verifies a new number; 'signin' is a second factor. */
  purpose: 'register' | 'signin';
  transaction_id: string | null;
  /** HMAC-SHA256 of the code, keyed per code (the code itself is never stored). */
  code_hash: string;
  attempts: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface PhoneTables {
  phone_numbers: PhoneNumbersTable;
  phone_codes: PhoneCodesTable;
}

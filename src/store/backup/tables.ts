export interface StoreInfoTable {
  name: string;
  value: string;
  updated_at: string;
}

export interface StoreInfoTables {
  store_info: StoreInfoTable;
}

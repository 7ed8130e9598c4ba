// Response bodies of the brokerhub REST API (see /docs). Numbers arrive as exact JSON numbers.

export type DataSource = "live" | "sync" | "import";

export interface Me {
  user_id: number;
  name: string;
  is_admin: boolean;
}

export interface BrokerageConfiguration {
  display_name: string;
  required_fields: string[];
  optional_fields: string[];
  auth_method: string;
  api_documentation: string;
  capabilities: Record<string, boolean>;
}

export interface Supported {
  brokerages: string[];
  configurations: Record<string, BrokerageConfiguration>;
}

export interface Account {
  id: string;
  user: number;
  brokerage_name: string;
  account_id: string | null;
  account_name: string | null;
  status: "pending" | "connected" | "disconnected" | "error";
  is_active: boolean;
  environment: "paper" | "sandbox" | "production";
  live_trading_enabled: boolean;
  created_at: string;
  updated_at: string;
  last_sync: string | null;
  cash_balance: number | null;
  total_value: number | null;
  buying_power: number | null;
  balance_as_of: string | null;
  last_error: string | null;
  error_count: number;
}

export interface Balance {
  account_id: string;
  brokerage_name: string;
  currency: string;
  cash_balance: number;
  buying_power: number;
  total_value: number;
  long_market_value: number;
  short_market_value: number;
  as_of: string | null;
  source: DataSource;
}

export interface Position {
  symbol: string;
  asset_class: string;
  quantity: number;
  average_price: number;
  current_price: number;
  market_value: number;
  cost_basis: number;
  unrealized_pnl: number;
  unrealized_pnl_percent: number;
  last_updated: string;
  as_of: string | null;
  source: DataSource;
}

export interface Portfolio {
  account_id: string;
  brokerage_name: string;
  portfolio: Position[];
  as_of: string | null;
  source: DataSource;
}

export interface SyncResult {
  message: string;
  portfolio_count: number;
  transactions_count: number;
  new_transactions_count: number;
  sync_run_id: number;
}

export const TRANSACTION_TYPES = [
  "buy",
  "sell",
  "dividend",
  "deposit",
  "withdrawal",
  "transfer",
  "fee",
  "interest",
  "other",
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface Transaction {
  transaction_id: string;
  transaction_type: string;
  symbol: string | null;
  quantity: number | null;
  price: number | null;
  amount: number;
  net_amount: number;
  fees: number;
  description: string | null;
  transaction_date: string;
  created_at: string;
}

export interface Transactions {
  transactions: Transaction[];
  limit: number;
  offset: number;
}

export const STOCK_ACTIONS = ["BUY", "SELL", "BUY_TO_COVER", "SELL_SHORT"] as const;
export const OPTION_ACTIONS = ["BUY_TO_OPEN", "SELL_TO_OPEN", "BUY_TO_CLOSE", "SELL_TO_CLOSE"] as const;
export type OrderAction = (typeof STOCK_ACTIONS)[number] | (typeof OPTION_ACTIONS)[number];
export const PRICE_TYPES = ["MARKET", "LIMIT", "STOP", "STOP_LIMIT", "TRAILING_STOP"] as const;
export type PriceType = (typeof PRICE_TYPES)[number];
export const ORDER_TERMS = [
  "GOOD_FOR_DAY",
  "GOOD_UNTIL_CANCEL",
  "IMMEDIATE_OR_CANCEL",
  "FILL_OR_KILL",
] as const;
export type OrderTerm = (typeof ORDER_TERMS)[number];

export interface OrderLegBody {
  symbol: string;
  order_action: OrderAction;
  quantity: number | string;
}

/** The E*TRADE-form order body: one leg (symbol/order_action/quantity) or `legs`. */
export interface OrderBody {
  symbol?: string;
  order_action?: OrderAction;
  quantity?: number | string;
  legs?: OrderLegBody[];
  price_type: PriceType;
  order_term: OrderTerm;
  limit_price?: string;
  stop_price?: string;
  trail_amount?: string;
  client_order_id?: string;
}

export interface Preview {
  estimated_price: number;
  estimated_cost: number;
  commission: number;
  fees: number;
  estimated_total: number;
  buying_power_after: number | null;
  warnings: string[];
  preview_id: string | null;
}

export type OrderStatus =
  | "PENDING"
  | "OPEN"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELLED"
  | "REJECTED"
  | "EXPIRED"
  | "REPLACED"
  | "UNKNOWN";

export interface OrderLeg {
  symbol: string;
  asset_class: string;
  order_action: OrderAction;
  quantity: number;
}

export interface Order {
  order_id: string;
  client_order_id: string | null;
  status: OrderStatus;
  price_type: PriceType;
  order_term: string;
  legs: OrderLeg[];
  limit_price: number | null;
  stop_price: number | null;
  trail_amount: number | null;
  trail_percent: number | null;
  filled_quantity: number;
  average_fill_price: number | null;
  reject_reason: string | null;
  replaces_order_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Quote {
  symbol: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  bid_size: number | null;
  ask_size: number | null;
  volume: number | null;
  as_of: string | null;
  source: DataSource;
}

export interface Bar {
  start: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export const TIMEFRAMES = ["1Min", "5Min", "15Min", "1Hour", "1Day"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export interface OptionQuote {
  symbol: string;
  strike: number;
  option_type: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  open_interest: number | null;
  volume: number | null;
}

export interface Chain {
  symbol: string;
  expiration: string;
  underlying_price: number | null;
  calls: OptionQuote[];
  puts: OptionQuote[];
}

export interface SymbolMatch {
  symbol: string;
  description: string;
  asset_class: string;
}

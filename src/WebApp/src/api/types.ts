// Shapes of the public API behind the gateway (camelCase JSON). Responses may carry more fields than listed here.

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  emailVerified?: boolean;
}

/** What registration answers, the same whatever the address's state (new, waiting for verification, verified). */
export interface RegistrationAccepted {
  message: string;
}

export interface EmailVerified {
  email: string;
  verified: boolean;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  category: string;
  imageUrl?: string | null;
  active: boolean;
  available: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ProductInput {
  name: string;
  description: string;
  price: number;
  category: string;
  imageUrl: string | null;
}

export interface NewProduct extends ProductInput {
  sku: string;
  currency: string;
  stock: number;
}

export interface ProductUpdate extends ProductInput {
  active: boolean;
}

export interface StockMovement {
  kind: string;
  quantity: number;
  orderId?: string | null;
  at: string;
}

export interface Stock {
  productId: string;
  onHand: number;
  reserved: number;
  available: number;
  sold: number;
  recentMovements?: StockMovement[];
}

export interface CartItem {
  productId: string;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
  /** The catalog price differs from the price when the item was added (checkout charges the current one). */
  priceChanged?: boolean;
  /** False when the product is no longer sold. Missing on older servers: treated as available. */
  available?: boolean;
}

export interface Cart {
  id?: string | null;
  items: CartItem[];
  total: number;
  currency: string;
  version?: number | string;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  country: string;
}

export interface CheckoutRequest {
  paymentMethod: string;
  shippingAddress?: ShippingAddress | null;
}

export interface OrderSummary {
  orderId: string;
  status: string;
  total: number;
  currency?: string;
  createdAt: string;
}

export interface AdminOrderSummary extends OrderSummary {
  customerEmail?: string;
  failureReason?: string | null;
  updatedAt?: string;
}

export interface OrderLine {
  productId: string;
  sku?: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

export interface TimelineEntry {
  status: string;
  at: string;
  detail?: string | null;
}

export interface OrderPayment {
  method?: string;
  paymentId?: string | null;
  provider?: string | null;
  captured?: number | null;
  refunded?: number | null;
}

export interface Order {
  orderId: string;
  status: string;
  failureReason?: string | null;
  lines: OrderLine[];
  total: number;
  currency: string;
  payment?: OrderPayment | null;
  shippingAddress?: ShippingAddress | null;
  createdAt?: string;
  updatedAt?: string;
  timeline: TimelineEntry[];
  /** The order service's answer to "may this order be cancelled now?" (its one set of rules, the Order decider). */
  canCancel: boolean;
  shippedAt?: string | null;
  trackingReference?: string | null;
  /** The last moment a return may be asked for (shipping time + the shop's return window). */
  returnUntil?: string | null;
  /** The same rules, for a return (the customer) and for shipping and receiving a return (admins only). */
  canRequestReturn?: boolean;
  canShip?: boolean;
  canRecordReturnReceived?: boolean;
}

export interface Payment {
  orderId: string;
  status: string;
  amount: number;
  currency?: string;
  paymentMethod?: string;
  declineReason?: string | null;
  refunded?: number;
}

export interface Notification {
  orderId: string;
  kind: string;
  channel: string;
  recipient: string;
  subject: string;
  status: string;
  attempts: number;
  createdAt: string;
  sentAt?: string | null;
}

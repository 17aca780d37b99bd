import { ApiClient, type LockRunner } from "./client";
import { SessionStore } from "./session";
import type {
  AdminOrderSummary, Cart, CheckoutRequest, EmailVerified, NewProduct, Notification, Order, OrderSummary, Page, Payment, Product,
  ProductUpdate, RegistrationAccepted, Stock, User,
} from "./types";
import type { CatalogQuery } from "../lib/catalogQuery";
import { toApiSearch } from "../lib/catalogQuery";

const browserLocks: LockRunner = (name, fn) =>
    typeof navigator !== "undefined" && navigator.locks
    ? (navigator.locks.request(name, fn) as unknown as ReturnType<typeof fn>)
    : fn();

export const sessions = new SessionStore(typeof localStorage === "undefined" ? null : localStorage);

export const api = new ApiClient({ fetch: (input, init) => fetch(input, init), sessions, withLock: browserLocks });

const id = (value: string) => encodeURIComponent(value);

export const auth = {
  register: (email: string, password: string, name: string) =>
    api.post<RegistrationAccepted>("/api/auth/register", { email, password, name }),
  /** Opens a verification link: the token from the link's #token= fragment. */
  verifyEmail: (token: string) => api.post<EmailVerified>("/api/auth/verify-email", { token }),
  me: (signal?: AbortSignal) => api.get<User>("/api/auth/me", { signal }),
};

export const catalog = {
  list: (query: CatalogQuery, signal?: AbortSignal) => api.get<Page<Product>>(`/api/products?${toApiSearch(query)}`, { signal }),
  get: (productId: string, signal?: AbortSignal) => api.get<Product>(`/api/products/${id(productId)}`, { signal }),
  create: (product: NewProduct) => api.post<Product>("/api/products", product),
  update: (productId: string, product: ProductUpdate) => api.put<Product>(`/api/products/${id(productId)}`, product),
  stock: (productId: string, signal?: AbortSignal) => api.get<Stock>(`/api/products/${id(productId)}/stock`, { signal }),
  addStock: (productId: string, quantity: number) => api.post<Stock>(`/api/products/${id(productId)}/stock`, { quantity }),
};

export const carts = {
  get: (signal?: AbortSignal) => api.get<Cart>("/api/cart", { signal }),
  add: (productId: string, quantity: number) => api.post<Cart>("/api/cart/items", { productId, quantity }),
  setQuantity: (productId: string, quantity: number) => api.put<Cart>(`/api/cart/items/${id(productId)}`, { quantity }),
  remove: (productId: string) => api.delete<Cart>(`/api/cart/items/${id(productId)}`),
  clear: () => api.delete<void>("/api/cart"),
  /** The idempotency key makes a retried checkout (after a timeout or a lost answer) place the order only once. */
  checkout: (request: CheckoutRequest, idempotencyKey: string) =>
    api.post<{ orderId: string }>("/api/cart/checkout", request, { headers: { "Idempotency-Key": idempotencyKey } }),
};

export const orders = {
  mine: (signal?: AbortSignal) => api.get<OrderSummary[]>("/api/orders", { signal }),
  get: (orderId: string, signal?: AbortSignal) => api.get<Order>(`/api/orders/${id(orderId)}`, { signal }),
  cancel: (orderId: string) => api.post<void>(`/api/orders/${id(orderId)}/cancel`),
  requestReturn: (orderId: string, reason: string) => api.post<void>(`/api/orders/${id(orderId)}/return`, { reason }),
  ship: (orderId: string, trackingReference: string) => api.post<void>(`/api/orders/${id(orderId)}/ship`, { trackingReference }),
  recordReturnReceived: (orderId: string) => api.post<void>(`/api/orders/${id(orderId)}/return/received`),
  all: (query: { status?: string; page: number; pageSize: number }, signal?: AbortSignal) => {
    const search = new URLSearchParams({ page: String(query.page), pageSize: String(query.pageSize) });
    if (query.status) search.set("status", query.status);
    return api.get<Page<AdminOrderSummary>>(`/api/orders/all?${search}`, { signal });
  },
};

export const payments = {
  get: (orderId: string, signal?: AbortSignal) => api.get<Payment>(`/api/payments/${id(orderId)}`, { signal }),
};

export const notifications = {
  mine: (signal?: AbortSignal) => api.get<Notification[]>("/api/notifications", { signal }),
};

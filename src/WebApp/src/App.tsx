import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { AuthProvider } from "./auth/AuthContext";
import { CartProvider } from "./auth/CartContext";
import { RequireAuth } from "./auth/RequireAuth";
import { Layout } from "./components/Layout";
import { AdminOrdersPage } from "./pages/admin/AdminOrdersPage";
import { AdminEditProductPage, AdminNewProductPage } from "./pages/admin/AdminProductPages";
import { AdminProductsPage } from "./pages/admin/AdminProductsPage";
import { CartPage } from "./pages/CartPage";
import { CatalogPage } from "./pages/CatalogPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { NotificationsPage } from "./pages/NotificationsPage";
import { OrderPage } from "./pages/OrderPage";
import { OrdersPage } from "./pages/OrdersPage";
import { ProductPage } from "./pages/ProductPage";
import { RegisterPage } from "./pages/RegisterPage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";
import { RouteError } from "./components/RouteError";

const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { path: "/", element: <CatalogPage /> },
      { path: "/products/:productId", element: <ProductPage /> },
      { path: "/login", element: <LoginPage /> },
      { path: "/register", element: <RegisterPage /> },
      { path: "/verify-email", element: <VerifyEmailPage /> },
      { path: "/cart", element: <RequireAuth><CartPage /></RequireAuth> },
      { path: "/orders", element: <RequireAuth><OrdersPage /></RequireAuth> },
      { path: "/orders/:orderId", element: <RequireAuth><OrderPage /></RequireAuth> },
      { path: "/notifications", element: <RequireAuth><NotificationsPage /></RequireAuth> },
      { path: "/admin/products", element: <RequireAuth admin><AdminProductsPage /></RequireAuth> },
      { path: "/admin/products/new", element: <RequireAuth admin><AdminNewProductPage /></RequireAuth> },
      { path: "/admin/products/:productId", element: <RequireAuth admin><AdminEditProductPage /></RequireAuth> },
      { path: "/admin/orders", element: <RequireAuth admin><AdminOrdersPage /></RequireAuth> },
      { path: "/admin/orders/:orderId", element: <RequireAuth admin><OrderPage admin /></RequireAuth> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return (
    <AuthProvider>
      <CartProvider>
        <RouterProvider router={router} />
      </CartProvider>
    </AuthProvider>
  );
}

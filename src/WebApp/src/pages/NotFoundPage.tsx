import { Link } from "react-router-dom";
import { Empty } from "../components/States";

export function NotFoundPage() {
  return (
    <Empty title="This page does not exist.">
      <Link to="/">Go to the catalog</Link>
    </Empty>
  );
}

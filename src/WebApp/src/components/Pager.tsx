import { pageCount } from "../lib/catalogQuery";

interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  onPage(page: number): void;
  label?: string;
}

export function Pager({ page, pageSize, total, onPage, label = "Pages" }: PagerProps) {
  const pages = pageCount(total, pageSize);
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span aria-live="polite">
        Page {page} of {pages}
      </span>
      <button type="button" className="button secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}

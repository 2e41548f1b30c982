/**
 * A list that renders only the rows in view (plus a few either side), so 10,000 tasks cost as
 * much as 30. Rows have one fixed height: no measuring, and the scroll height is exact.
 * Screen readers still learn the full size from aria-setsize / aria-posinset on each row.
 */
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { rowWindow } from './window.js';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly getKey: (item: T) => string;
  readonly renderRow: (item: T, index: number) => ReactNode;
  /** The list's accessible name. */
  readonly label: string;
  /** Used until the viewport is measured (and always where there is no layout, as in jsdom). */
  readonly fallbackHeight?: number;
  readonly overscan?: number;
  readonly className?: string;
  readonly rowClassName?: string;
  /** Shown instead of an empty list. */
  readonly empty?: ReactNode;
  /** A row to keep in view (the keyboard's selection): scrolled to when it changes. */
  readonly scrollToIndex?: number;
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, overscan = 6 } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(props.fallbackHeight ?? 600);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (el === null) return;
    const measure = (): void => {
      if (el.clientHeight > 0) setHeight(el.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { scrollToIndex } = props;
  useLayoutEffect(() => {
    const el = viewport.current;
    if (el === null || scrollToIndex === undefined) return;
    const rowTop = scrollToIndex * rowHeight;
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + rowHeight > el.scrollTop + height) el.scrollTop = rowTop + rowHeight - height;
    setScrollTop(el.scrollTop);
  }, [scrollToIndex, rowHeight, height]);

  // A shorter list (a filter narrowed it) can leave the old scroll position past its end.
  const maxTop = Math.max(0, items.length * rowHeight - height);
  const top = Math.min(scrollTop, maxTop);
  const { start, end } = rowWindow(top, height, rowHeight, items.length, overscan);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i] as T;
    rows.push(
      <li
        key={props.getKey(item)}
        className={props.rowClassName}
        aria-setsize={items.length}
        aria-posinset={i + 1}
        style={{ position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {props.renderRow(item, i)}
      </li>,
    );
  }

  return (
    <div
      ref={viewport}
      className={`virtual-viewport ${props.className ?? ''}`}
      data-testid="virtual-viewport"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      {items.length === 0 && props.empty !== undefined ? (
        props.empty
      ) : (
        <ul
          // Explicit: `list-style: none` makes some browsers drop the list role.
          role="list"
          aria-label={props.label}
          className="virtual-rows"
          style={{ position: 'relative', height: items.length * rowHeight, margin: 0, padding: 0 }}
        >
          {rows}
        </ul>
      )}
    </div>
  );
}

'use client';

import { Dialog } from '../Dialog';

/** Names the selected nodes' supernode. */
export function GroupDialog({
  open,
  count,
  defaultName,
  onClose,
  onGroup,
}: {
  open: boolean;
  count: number;
  defaultName: string;
  onClose: () => void;
  onGroup: (name: string) => void;
}) {
  return (
    <Dialog open={open} title="Group into a supernode" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
          if (name) onGroup(name);
        }}
      >
        <label>
          Name for the {count} selected nodes
          <input name="name" aria-label="Supernode name" defaultValue={defaultName} required autoFocus />
        </label>
        <div className="row">
          <button type="submit">Group</button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

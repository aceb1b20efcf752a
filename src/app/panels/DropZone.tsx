// A labelled drop target with a file picker and a folder picker, shared by PoolPanel, DevSetPanel and
// RunsPanel. The file input carries the accessible name tests and screen readers use (e.g. "Document pool").
import { useId, useState, type DragEvent, type ReactNode } from 'react';
import { filesFromDrop, filesFromList, type NamedBytes, type PathFilter } from '../dropped-files.ts';

interface DropZoneProps {
  label: string;
  accept: string;
  hint: ReactNode;
  /** Accessible name of the folder picker; no folder picker when absent. */
  folderLabel?: string;
  /** Paths worth reading; others are skipped unread. */
  keep?: PathFilter;
  onFiles: (files: NamedBytes[]) => void;
}

/** Drop files or folders here, or pick them; every path ends in onFiles. */
export function DropZone({ label, accept, hint, folderLabel, keep, onFiles }: DropZoneProps) {
  const id = useId();
  const [isOver, setIsOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setIsOver(false);
    void filesFromDrop(event.dataTransfer, keep).then((files) => files.length > 0 && onFiles(files));
  };
  return (
    <div
      className={isOver ? 'dropzone over' : 'dropzone'}
      onDragOver={(e) => { e.preventDefault(); setIsOver(true); }}
      onDragLeave={() => setIsOver(false)}
      onDrop={onDrop}
    >
      <input
        id={`${id}-files`} type="file" multiple accept={accept} aria-label={label} className="visually-hidden"
        onChange={(e) => { void filesFromList(e.target.files, keep).then(onFiles); e.target.value = ''; }}
      />
      <label htmlFor={`${id}-files`} className="button">Choose files…</label>
      {folderLabel !== undefined && (
        <>
          <input
            id={`${id}-folder`} type="file" aria-label={folderLabel} className="visually-hidden"
            {...{ webkitdirectory: '', directory: '' }}
            onChange={(e) => { void filesFromList(e.target.files, keep).then(onFiles); e.target.value = ''; }}
          />
          <label htmlFor={`${id}-folder`} className="button">Choose a folder…</label>
        </>
      )}
      <span className="hint">or drop them here. {hint}</span>
    </div>
  );
}

// A labelled drop target with a file picker and a folder picker, shared by PoolPanel, DevSetPanel and
// RunsPanel. The file input carries the accessible name tests and screen readers use (e.g. "Document pool").
import { useId, useState, type DragEvent, type ReactNode } from 'react';
import { pathedFromDrop, pathedFromList, type NamedBytes, type PathedFile, type PathFilter } from '../dropped-files.ts';

/** Read files as bytes (pools, dev sets, runs) or take them unread (model folders, gigabytes). */
type Receiver = { onFiles: (files: NamedBytes[]) => void } | { onPicked: (files: PathedFile[]) => void };

type DropZoneProps = Receiver & {
  label: string;
  accept: string;
  hint: ReactNode;
  /** Accessible name of the folder picker; no folder picker when absent. */
  folderLabel?: string;
  /** Paths worth reading; others are skipped unread. */
  keep?: PathFilter;
};

async function deliver(receiver: Receiver, picked: PathedFile[]): Promise<void> {
  if (picked.length === 0) return;
  if ('onPicked' in receiver) receiver.onPicked(picked);
  else receiver.onFiles(await Promise.all(picked.map(async (f) => ({ name: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) }))));
}

/** Drop files or folders here, or pick them; every path ends in onFiles (read) or onPicked (unread). */
export function DropZone(props: DropZoneProps) {
  const { label, accept, hint, folderLabel, keep } = props;
  const id = useId();
  const [isOver, setIsOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setIsOver(false);
    void pathedFromDrop(event.dataTransfer, keep).then((picked) => deliver(props, picked));
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
        onChange={(e) => { void deliver(props, pathedFromList(e.target.files, keep)); e.target.value = ''; }}
      />
      <label htmlFor={`${id}-files`} className="button">Choose files…</label>
      {folderLabel !== undefined && (
        <>
          <input
            id={`${id}-folder`} type="file" aria-label={folderLabel} className="visually-hidden"
            {...{ webkitdirectory: '', directory: '' }}
            onChange={(e) => { void deliver(props, pathedFromList(e.target.files, keep)); e.target.value = ''; }}
          />
          <label htmlFor={`${id}-folder`} className="button">Choose a folder…</label>
        </>
      )}
      <span className="hint">or drop them here. {hint}</span>
    </div>
  );
}

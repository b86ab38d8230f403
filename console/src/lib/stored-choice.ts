/** The localStorage methods a stored choice uses, so tests can pass a stand-in. */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** One id the staff picked, such as a truck, kept in localStorage under `key` across reloads and sign-ins. */
export interface StoredChoice {
  readonly key: string;
  /** Returns the saved id, or null when none was saved, the saved value is blank or storage is unavailable. */
  read: (storage?: Pick<ChoiceStorage, 'getItem'>) => string | null;
  /** Saves the id, or removes the saved one for null. Without storage the choice lasts until the page reloads. */
  save: (id: string | null, storage?: Pick<ChoiceStorage, 'setItem' | 'removeItem'>) => void;
}

/**
 * Creates the stored choice kept under `key`. Both functions use the browser's localStorage
 * unless given a storage, and neither uses `this`, so they can be passed on alone.
 */
export function storedChoice(key: string): StoredChoice {
  const read = (storage: Pick<ChoiceStorage, 'getItem'> | undefined = browserStorage()): string | null => {
    try {
      const saved = storage?.getItem(key)?.trim();
      return saved ? saved : null;
    } catch {
      // Storage is unavailable in some privacy modes, so the staff picks again.
      return null;
    }
  };

  const save = (id: string | null, storage: Pick<ChoiceStorage, 'setItem' | 'removeItem'> | undefined = browserStorage()): void => {
    try {
      if (id === null) storage?.removeItem(key);
      else storage?.setItem(key, id);
    } catch {
      // A full or blocked storage only costs the choice on the next reload.
    }
  };

  return { key, read, save };
}

function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Reading localStorage itself throws when the browser blocks site data.
    return undefined;
  }
}

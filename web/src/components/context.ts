import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Desk } from '../desk';

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error('useDesk outside a signed-in console');
  return desk;
}

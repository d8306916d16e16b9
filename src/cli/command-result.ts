// Its own file (it was in main.ts) so the commands need not import main.ts, which imports them: no cycle.
/** Set by a command handler; read once the parse is over. */
export interface CommandResult {
  exitCode: number;
}

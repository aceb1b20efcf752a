export interface Command {
  name: string;
  summary: string;
  help: string;
  run: (argv: string[]) => Promise<number | void>;
}

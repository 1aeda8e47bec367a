import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export function registerAuditCommand(program: Command, context: CommandContext): void {
  void program;
  void context;
}

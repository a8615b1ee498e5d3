// Errors of the configuration domain: each names the field (as the API spells it)
// that breaks a rule needing more than one field or the database. The control plane
// turns them into 422 (or 409 for conflicts of state).

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: FieldProblem[] = [];

  constructor(problems: FieldProblem[] = []) {
    super('configuration rejected');
    this.name = 'ConfigError';
    this.problems.push(...problems);
  }

  add(field: string, code: string, message: string): this {
    this.problems.push({ field, code, message });
    return this;
  }

  throwIfAny(): void {
    if (this.problems.length > 0) {
      this.message = this.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      throw this;
    }
  }
}

/** A conflict with existing state, such as a name already taken: 409. */
export class ConflictError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

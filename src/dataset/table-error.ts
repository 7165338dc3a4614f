/** A table Lenslet cannot serve: one line naming the file and the line, row or column (exit 2). */
export class TableError extends Error {
  constructor(
    readonly file: string,
    readonly where: string | null,
    problem: string,
  ) {
    super(`${file}: ${where ? `${where}: ` : ""}${problem}`);
    this.name = "TableError";
  }
}

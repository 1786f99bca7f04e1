// Errors about what the user handed netc (a data file, a weights file), as opposed to bugs.
// Each message already names the file and the row, column or tensor; the CLI prints it as is.

/** A data set that cannot be used: unreadable CSV, wrong width, non-numeric or non-finite cells, unknown labels. */
export class DataError extends Error {
  override readonly name = "DataError";
}

/** A weights file that is malformed or does not belong to the model it is loaded into. */
export class WeightsError extends Error {
  override readonly name = "WeightsError";
}

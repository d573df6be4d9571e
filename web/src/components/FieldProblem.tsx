/** The API's (or the form's own) message for one field, when there is one. */
export function FieldProblem({ problems, field }: { problems: Record<string, string>; field: string }) {
  return problems[field] ? (
    <p class="field-error" id={`error-${field.replace(/\W/g, "-")}`}>
      {problems[field]}
    </p>
  ) : null;
}

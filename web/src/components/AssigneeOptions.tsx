import { people } from "../state/project";

/** The people and teams a ticket can be assigned to, as options of a select. */
export function AssigneeOptions({ includeQueues }: { includeQueues?: boolean }) {
  return (
    <>
      {includeQueues && <option value="me">Me</option>}
      {people.value.members.length > 0 && (
        <optgroup label="People">
          {people.value.members.map((member) => (
            <option key={member.user_id} value={member.user_id}>
              {member.name}
            </option>
          ))}
        </optgroup>
      )}
      {people.value.teams.length > 0 && (
        <optgroup label="Teams">
          {people.value.teams.map((team) => (
            <option key={team.id} value={`team:${team.id}`}>
              {team.name}
            </option>
          ))}
        </optgroup>
      )}
    </>
  );
}

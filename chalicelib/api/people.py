"""Project, member, team and API key routes."""
from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.schemas import people as s

bp = Blueprint(__name__)
PROJECT = "/v1/ce/projects/{project_id}"


def _member(found):
    m, account = found.member, found.account
    return {"user_id": m.user_id, "email": m.email, "name": m.name, "role": m.role,
            "notifications": m.notifications.as_dict(),
            "notification_delivery": m.notification_delivery.as_dict(), "account_id": m.account_id,
            "state": "invited" if found.invited else "active",
            "last_sign_in_at": account.last_sign_in_at if account else None}


def _team(t):
    return {"id": t.id, "name": t.name, "email": t.email, "members": list(t.members)}


def _key(k):
    return {"id": k.id, "name": k.name, "role": k.role, "user_id": k.user_id, "automation": k.automation,
            "created_at": k.created_at}


def _project(p):
    email = services().people.project_email(p)
    return {"id": p.id, "name": p.name, "key": p.key, "created_at": p.created_at,
            "default_assignee": p.default_assignee, "limits": services().attachments.limits(),
            "require_sso": p.require_sso,
            "email": {"address": email.address, "aliases": list(email.settings.aliases),
                      "reply_to_closed": email.settings.reply_to_closed, "acknowledge": email.settings.acknowledge,
                      "acknowledgement": email.settings.acknowledgement}}


@endpoint(bp, "GET", PROJECT, summary="The project this key belongs to", response=s.ProjectOut, tag="projects")
def get_project(call: Call, project_id: str):
    return _project(call.principal.project)


@endpoint(bp, "PATCH", PROJECT, summary="Rename the project, set who new tickets go to by default, require single sign-on, or change its email settings", role="admin",
          body=s.ProjectPatch, response=s.ProjectOut, tag="projects")
def update_project(call: Call, project_id: str):
    return _project(services().people.update_project(call.principal, call.body))


@endpoint(bp, "GET", PROJECT + "/members", summary="List members", role="admin", response=s.MemberList,
          tag="people")
def list_members(call: Call, project_id: str):
    return {"data": [_member(m) for m in services().people.member_list(call.principal)]}


@endpoint(bp, "POST", PROJECT + "/members", summary="Add a member", status=201, role="admin",
          body=s.MemberCreate, response=s.MemberOut, tag="people")
def add_member(call: Call, project_id: str):
    return _member(services().people.add_member(call.principal, call.body))


@endpoint(bp, "POST", PROJECT + "/members/{user_id}/invitation",
          summary="Send a member's invitation again (only while their account has never signed in)", status=202,
          role="admin", response=s.MemberOut, tag="people")
def resend_invitation(call: Call, project_id: str, user_id: str):
    return _member(services().people.resend_invitation(call.principal, user_id))


@endpoint(bp, "DELETE", PROJECT + "/members/{user_id}/invitation",
          summary="Withdraw an invitation: remove a member whose account has never signed in", status=204,
          role="admin", tag="people")
def withdraw_invitation(call: Call, project_id: str, user_id: str):
    services().people.withdraw_invitation(call.principal, user_id)
    return Reply(None)


@endpoint(bp, "PATCH", PROJECT + "/members/{user_id}", summary="Change a member's name, role or email notifications (which kinds, and each or hourly)",
          role="admin", body=s.MemberPatch, response=s.MemberOut, tag="people")
def update_member(call: Call, project_id: str, user_id: str):
    return _member(services().people.update_member(call.principal, user_id, call.body))


@endpoint(bp, "DELETE", PROJECT + "/members/{user_id}", summary="Remove a member and revoke their keys",
          status=204, role="admin", tag="people")
def remove_member(call: Call, project_id: str, user_id: str):
    services().people.remove_member(call.principal, user_id)
    return Reply(None)


@endpoint(bp, "GET", PROJECT + "/people", summary="Who tickets can be assigned to: members and teams, by name",
          response=s.PeopleDirectory, tag="people")
def people_directory(call: Call, project_id: str):
    return {"members": [{"user_id": m.user_id, "name": m.name} for m in services().people.members(call.principal)],
            "teams": [{"id": t.id, "name": t.name, "members": list(t.members)}
                      for t in services().people.teams(call.principal)]}


@endpoint(bp, "GET", PROJECT + "/me", summary="The member this key belongs to", response=s.MemberOut,
          tag="people")
def get_own_member(call: Call, project_id: str):
    return _member(services().people.own_member(call.principal))


@endpoint(bp, "PATCH", PROJECT + "/me", summary="Change your own name or email notifications (which kinds, and each or hourly)",
          body=s.OwnMemberPatch, response=s.MemberOut, tag="people")
def update_own_member(call: Call, project_id: str):
    return _member(services().people.update_own_member(call.principal, call.body))


@endpoint(bp, "GET", PROJECT + "/teams", summary="List teams", role="admin", response=s.TeamList, tag="people")
def list_teams(call: Call, project_id: str):
    return {"data": [_team(t) for t in services().people.teams(call.principal)]}


@endpoint(bp, "POST", PROJECT + "/teams", summary="Create a team", status=201, role="admin",
          body=s.TeamCreate, response=s.TeamOut, tag="people")
def create_team(call: Call, project_id: str):
    return _team(services().people.create_team(call.principal, call.body))


@endpoint(bp, "PATCH", PROJECT + "/teams/{team_id}", summary="Change a team", role="admin", body=s.TeamPatch,
          response=s.TeamOut, tag="people")
def update_team(call: Call, project_id: str, team_id: str):
    return _team(services().people.update_team(call.principal, team_id, call.body))


@endpoint(bp, "DELETE", PROJECT + "/teams/{team_id}", summary="Delete a team", status=204, role="admin",
          tag="people")
def delete_team(call: Call, project_id: str, team_id: str):
    services().people.delete_team(call.principal, team_id)
    return Reply(None)


@endpoint(bp, "GET", PROJECT + "/api-keys", summary="List API keys (never their secrets)", role="admin",
          response=s.ApiKeyList, tag="people")
def list_api_keys(call: Call, project_id: str):
    return {"data": [_key(k) for k in services().people.api_keys(call.principal)]}


@endpoint(bp, "POST", PROJECT + "/api-keys", summary="Create an API key; the secret is shown only here",
          status=201, role="admin", body=s.ApiKeyCreate, response=s.ApiKeyCreated, tag="people")
def create_api_key(call: Call, project_id: str):
    issued = services().people.create_api_key(call.principal, call.body)
    return _key(issued.key) | {"secret": issued.token}


@endpoint(bp, "DELETE", PROJECT + "/api-keys/{key_id}", summary="Revoke an API key at once", status=204,
          role="admin", tag="people")
def revoke_api_key(call: Call, project_id: str, key_id: str):
    services().people.revoke_api_key(call.principal, key_id)
    return Reply(None)

"""Creates Superset's admin user, or resets its password, inside Superset's own app context.
Run by scripts/stack with the Superset venv's python; the password comes from the environment
($STACK_SUPERSET_ADMIN_PASSWORD), never from the command line, which `superset fab
create-admin --password` would need. Usage: python admin_user.py USERNAME"""
import os
import sys


def main():
    username = sys.argv[1]
    password = os.environ.pop("STACK_SUPERSET_ADMIN_PASSWORD", "")
    if not password:
        sys.exit("admin_user.py: STACK_SUPERSET_ADMIN_PASSWORD is empty")
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager

        user = security_manager.find_user(username=username)
        if user is None:
            role = security_manager.find_role("Admin")
            created = security_manager.add_user(username, "shopstream", "admin", f"{username}@localhost",
                                                role, password=password)
            if not created:
                sys.exit(f"admin_user.py: Superset refused to create user {username}")
            print(f"created user {username}")
        else:
            security_manager.reset_password(user.id, password)
            print(f"reset the password of user {username}")


if __name__ == "__main__":
    main()

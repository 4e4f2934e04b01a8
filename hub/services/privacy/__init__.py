"""Privacy: data-subject rights, their execution, retention, audit and suppression."""

"""Background work: task functions, their schedule, Celery (worker, beat) and the embedded
scheduler that runs the same functions on the same schedule inside ``brokerhub serve``."""

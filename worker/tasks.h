/* tasks.h - the worker's job messages ("tasks"), from queued to final (internal).
 *
 * A task is one job message this worker holds: waiting for a slot, held
 * while another worker runs the same job, running on its own thread, or
 * being handed to another worker. This module keeps the list, starts
 * attempts when slots free, follows them and ends them as the rules say
 * (rules.h). Messages become tasks in intake.c; handover.c passes
 * waiting ones on. */
#ifndef VS_WORKER_TASKS_H
#define VS_WORKER_TASKS_H
#include "state.h"

/* ---- the list ---- */
void vs_task_append(vs_worker *s, task *t);
void vs_task_unlink(vs_worker *s, task *t);
/* Another task of job_id (not `except`), or NULL. */
task *vs_task_find(vs_worker *s, const char *job_id, const task *except);
/* Tasks in state st. */
int vs_tasks_count(const vs_worker *s, enum vs_task_state st);
void vs_task_free(task **t);
/* The job reached a final state: every offset it came from may be stored. */
void vs_task_commit(vs_worker *s, task *t);
/* Unlinks, commits (commit != 0) and frees t. */
void vs_task_forget(vs_worker *s, task *t, int commit);
/* Publishes a status of kind about t (error may be NULL). */
void vs_task_publish(vs_worker *s, enum vs_status_kind kind, const task *t, const char *error,
                     int attempts);
/* What the status topic says of t's job (who: the worker named there). */
enum vs_seen vs_task_seen(vs_worker *s, const task *t, char *who, size_t whosz);

/* ---- each round of the service loop ---- */
/* Held tasks whose job ended or was abandoned elsewhere. */
void vs_tasks_recheck_held(vs_worker *s);
/* Starts pending tasks while slots are free. */
void vs_tasks_schedule(vs_worker *s);
/* Progress statuses of running tasks (once a second each). */
void vs_tasks_progress(vs_worker *s);
/* Ends the attempts whose thread finished. */
void vs_tasks_reap(vs_worker *s);

/* ---- leaving ---- */
/* Drops every waiting task of partition (revoked): read again by its next owner. */
void vs_tasks_drop_partition(vs_worker *s, int32_t partition);
/* Drops every waiting task (the worker stops). */
void vs_tasks_drop_waiting(vs_worker *s);
void vs_tasks_cancel_running(vs_worker *s);

#endif

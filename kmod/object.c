// SPDX-License-Identifier: GPL-2.0
/*
 * kipc objects and their registry.
 *
 * Every object is reachable from user space only through file descriptors.
 * While it is "linked" it can also be found by id and (when named) by name;
 * the registry holds one reference for that.  A named object stays linked
 * until it is removed; an anonymous one until its last file closes.
 *
 * Lifetime of a reference: kref_init() gives the creator's (which becomes
 * the first file's), kipc_object_link_locked() adds the registry's, each
 * further open adds one per file.  Unlinking drops the registry's, closing a
 * file drops its own; the last put returns the quota and frees.  A type may
 * hold more of its own (a mailbox's process-exit hook holds one).
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <linux/kipc.h>

#include "netlink.h"
#include "object.h"
#include "proc.h"

/* DEFINE_MUTEX() spelt out, for checkpatch to see what is exported */
struct mutex kipc_reg_lock = __MUTEX_INITIALIZER(kipc_reg_lock);
EXPORT_SYMBOL_IF_KUNIT(kipc_reg_lock);

/* id -> object, for linked objects (protected by kipc_reg_lock) */
static DEFINE_XARRAY(kipc_objects);
/* name -> object, for linked named objects (protected by kipc_reg_lock) */
static DEFINE_HASHTABLE(kipc_names, 8);
/* uid -> struct kipc_user (protected by kipc_reg_lock) */
static DEFINE_XARRAY(kipc_users);
/* last id handed out; ids start at 1 and are never reused */
static atomic64_t kipc_last_id = ATOMIC64_INIT(0);

/**
 * kipc_id_next() - a new object id
 *
 * Registry objects, sessions and links take their ids from this one counter.
 *
 * Return: an id never handed out before while the module is loaded.
 */
u64 kipc_id_next(void)
{
	return atomic64_inc_return(&kipc_last_id);
}

/**
 * kipc_object_uapi_type() - the uapi type of a registry type
 * @type:	KIPC_OBJ_*
 *
 * Return: its KIPC_TYPE_*, KIPC_TYPE_UNSPEC for none.
 */
enum kipc_type kipc_object_uapi_type(enum kipc_obj_type type)
{
	static const enum kipc_type types[KIPC_OBJ_NR_TYPES] = {
		[KIPC_OBJ_QUEUE]	= KIPC_TYPE_QUEUE,
		[KIPC_OBJ_MAILBOX]	= KIPC_TYPE_MAILBOX,
		[KIPC_OBJ_PIPE]		= KIPC_TYPE_PIPE,
		[KIPC_OBJ_SHM]		= KIPC_TYPE_SHM,
	};

	return type < KIPC_OBJ_NR_TYPES ? types[type] : KIPC_TYPE_UNSPEC;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_uapi_type);

/**
 * kipc_object_type_from_uapi() - the registry type of a uapi type
 * @type:	KIPC_TYPE_*
 *
 * Return: its KIPC_OBJ_*, or KIPC_OBJ_NR_TYPES for sessions, links and
 * values that name no type (they are not registry objects).
 */
enum kipc_obj_type kipc_object_type_from_uapi(u32 type)
{
	enum kipc_obj_type t;

	for (t = 0; t < KIPC_OBJ_NR_TYPES; t++)
		if (type != KIPC_TYPE_UNSPEC && kipc_object_uapi_type(t) == type)
			return t;
	return KIPC_OBJ_NR_TYPES;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_type_from_uapi);

static u32 kipc_name_hash(enum kipc_obj_type type, const char *name)
{
	return full_name_hash((void *)(unsigned long)type, name, strlen(name));
}

/**
 * kipc_object_init() - fill the common head of a new, unlinked object
 * @obj:	the object, zeroed
 * @ops:	its type operations
 * @name:	kmalloc'ed name, or NULL; owned by @obj on success
 * @mode:	permission bits
 *
 * Return: 0, or -ENOSPC when the id space is exhausted (then @obj holds
 * nothing and is simply freed).
 */
int kipc_object_init(struct kipc_object *obj, const struct kipc_object_ops *ops,
		     char *name, umode_t mode)
{
	obj->id = kipc_id_next();
	if (obj->id > ULONG_MAX)	/* xarray index on 32-bit */
		return -ENOSPC;
	obj->ops = ops;
	obj->name = name;
	kref_init(&obj->ref);
	INIT_HLIST_NODE(&obj->name_node);
	obj->uid = current_euid();
	obj->gid = current_egid();
	obj->cuid = obj->uid;
	obj->cgid = obj->gid;
	obj->mode = mode & 0777;
	obj->creator = get_pid(task_tgid(current));
	obj->create_time = ktime_get_real_ns();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_init);

/**
 * kipc_object_destroy() - free what kipc_object_init() took
 * @obj:	the object, whose last reference is gone
 */
void kipc_object_destroy(struct kipc_object *obj)
{
	put_pid(obj->creator);
	kfree(obj->name);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_destroy);

static struct kipc_user *kipc_user_get_locked(kuid_t uid)
{
	struct kipc_user *u;
	int ret;

	lockdep_assert_held(&kipc_reg_lock);
	u = xa_load(&kipc_users, __kuid_val(uid));
	if (u)
		return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u)
		return ERR_PTR(-ENOMEM);
	u->uid = uid;
	ret = xa_insert(&kipc_users, __kuid_val(uid), u, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(u);
		return ERR_PTR(ret);
	}
	return u;
}

static void kipc_user_put_locked(struct kipc_user *u)
{
	int i;

	lockdep_assert_held(&kipc_reg_lock);
	for (i = 0; i < KIPC_OBJ_NR_TYPES; i++)
		if (u->nr[i])
			return;
	WARN_ON_ONCE(u->bytes);
	xa_erase(&kipc_users, __kuid_val(u->uid));
	kfree(u);
}

static void kipc_object_release(struct kref *ref)
{
	struct kipc_object *obj = container_of(ref, struct kipc_object, ref);

	if (obj->user) {
		mutex_lock(&kipc_reg_lock);
		obj->user->nr[obj->ops->type]--;
		obj->user->bytes -= obj->charge;
		kipc_user_put_locked(obj->user);
		mutex_unlock(&kipc_reg_lock);
	}
	obj->ops->release(obj);
}

/**
 * kipc_object_put() - drop a reference; the last one frees the object
 * @obj:	the object
 *
 * Context: process context, kipc_reg_lock not held.
 */
void kipc_object_put(struct kipc_object *obj)
{
	might_sleep();
	kref_put(&obj->ref, kipc_object_release);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_put);

/**
 * kipc_object_find_locked() - look a linked object up by name or id
 * @type:	KIPC_OBJ_*, or KIPC_OBJ_NR_TYPES for any type (by @id only)
 * @name:	the name, or NULL to look up by @id
 * @id:		the id
 *
 * Return: the object without a new reference (the caller holds
 * kipc_reg_lock and takes one if it keeps the object), or NULL.
 */
struct kipc_object *kipc_object_find_locked(enum kipc_obj_type type,
					    const char *name, u64 id)
{
	struct kipc_object *obj;

	lockdep_assert_held(&kipc_reg_lock);
	if (!name) {
		if (id > ULONG_MAX)
			return NULL;
		obj = xa_load(&kipc_objects, id);
		if (obj && type != KIPC_OBJ_NR_TYPES && obj->ops->type != type)
			return NULL;
		return obj;
	}
	hash_for_each_possible(kipc_names, obj, name_node,
			       kipc_name_hash(type, name))
		if (obj->ops->type == type && !strcmp(obj->name, name))
			return obj;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_find_locked);

/*
 * kipc_object_find_locked(), except that an object its type says is dying
 * (about to be unlinked by a process-exit hook) is let go first: the
 * caller may have seen the reason (waitpid() of a mailbox's owner), and
 * must then not find it.  The hook's work was queued when the process was
 * seen to exit, so one flush normally does; a second covers an exit seen
 * an instant before its wake-up queued the work.  Drops and retakes
 * kipc_reg_lock for that (so the caller holds no other lock and has no
 * state under it yet).
 */
static struct kipc_object *kipc_object_lookup_locked(enum kipc_obj_type type,
						     const char *name, u64 id)
{
	struct kipc_object *obj;
	int tries;

	lockdep_assert_held(&kipc_reg_lock);
	for (tries = 0; ; tries++) {
		obj = kipc_object_find_locked(type, name, id);
		if (!obj || !obj->ops->dying || tries == 2 ||
		    !obj->ops->dying(obj))
			return obj;
		mutex_unlock(&kipc_reg_lock);
		kipc_proc_flush();
		mutex_lock(&kipc_reg_lock);
	}
}

/**
 * kipc_user_charge() - move @u's charge for one object from @old to @new
 * @u:		the user's record (the caller holds kipc_reg_lock)
 * @old:	bytes the object was charged
 * @new:	bytes it is to be charged
 * @limit:	the user's byte quota
 *
 * Shrinking always succeeds; growing must stay within @limit.
 *
 * Return: 0, or -EDQUOT with nothing changed.
 */
VISIBLE_IF_KUNIT int kipc_user_charge(struct kipc_user *u, u64 old, u64 new,
				      u64 limit)
{
	u64 bytes = u->bytes - old;

	if (new > old && (new > limit || bytes > limit - new))
		return -EDQUOT;
	u->bytes = bytes + new;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_user_charge);

/*
 * kipc_object_link_locked(), also saying in *@hit which quota refused
 * (KIPC_LIMIT_UNSPEC for none).
 */
static int kipc_object_link_hit_locked(struct kipc_object *obj, u64 charge,
				       enum kipc_limit *hit)
{
	const struct kipc_object_ops *ops = obj->ops;
	struct kipc_user *u;
	int ret;

	lockdep_assert_held(&kipc_reg_lock);
	u = kipc_user_get_locked(obj->cuid);
	if (IS_ERR(u))
		return PTR_ERR(u);
	ret = -EDQUOT;
	*hit = KIPC_LIMIT_USER_OBJECTS;
	if (u->nr[ops->type] >= READ_ONCE(*ops->max_per_user))
		goto out_put_user;
	*hit = KIPC_LIMIT_USER_BYTES;
	ret = kipc_user_charge(u, 0, charge, READ_ONCE(kipc_bytes_per_user));
	if (ret)
		goto out_put_user;
	*hit = KIPC_LIMIT_UNSPEC;
	ret = xa_insert(&kipc_objects, obj->id, obj, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_uncharge;
	if (ops->linking) {
		ret = ops->linking(obj);
		if (ret)
			goto out_erase;
	}

	u->nr[ops->type]++;
	obj->user = u;
	obj->charge = charge;
	if (obj->name)
		hash_add(kipc_names, &obj->name_node,
			 kipc_name_hash(ops->type, obj->name));
	obj->linked = true;
	obj->nr_files = 1;
	kipc_object_get(obj);	/* the registry's reference */
	kipc_stats_created(kipc_object_uapi_type(ops->type));
	kipc_nl_changed();
	kipc_nl_obj_event(KIPC_CMD_OBJ_NEW, obj);
	return 0;

out_erase:
	xa_erase(&kipc_objects, obj->id);
out_uncharge:
	u->bytes -= charge;
out_put_user:
	kipc_user_put_locked(u);
	return ret;
}

/**
 * kipc_object_link_locked() - charge the creator and make @obj reachable
 * @obj:	a new object from kipc_object_init(), with one file-to-be
 * @charge:	bytes to charge to the creator's quota
 *
 * The type's linking() runs last, once nothing else can fail.  Sends the
 * KIPC_CMD_OBJ_NEW event.
 *
 * Return: 0, -EDQUOT over the creator's quota, -ENOMEM, or linking()'s
 * error.
 */
int kipc_object_link_locked(struct kipc_object *obj, u64 charge)
{
	enum kipc_limit hit;

	return kipc_object_link_hit_locked(obj, charge, &hit);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_link_locked);

/**
 * kipc_object_recharge_locked() - change the bytes charged for @obj
 * @obj:	a linked object
 * @charge:	its new charge
 *
 * Return: 0, or -EDQUOT if growing it would exceed the creator's quota.
 */
int kipc_object_recharge_locked(struct kipc_object *obj, u64 charge)
{
	int ret;

	lockdep_assert_held(&kipc_reg_lock);
	ret = kipc_user_charge(obj->user, obj->charge, charge,
			       READ_ONCE(kipc_bytes_per_user));
	if (!ret)
		obj->charge = charge;
	return ret;
}

static void kipc_object_unlink_locked(struct kipc_object *obj)
{
	lockdep_assert_held(&kipc_reg_lock);
	obj->linked = false;
	xa_erase(&kipc_objects, obj->id);
	if (obj->name)
		hash_del(&obj->name_node);
	kipc_stats_destroyed(kipc_object_uapi_type(obj->ops->type));
	kipc_nl_changed();
	kipc_nl_obj_event(KIPC_CMD_OBJ_DEL, obj);
}

/* After kipc_object_unlink_locked() and dropping kipc_reg_lock. */
static void kipc_object_unlinked(struct kipc_object *obj)
{
	if (obj->ops->unlinked)
		obj->ops->unlinked(obj);
	kipc_object_put(obj);	/* the registry's reference */
}

/**
 * kipc_object_remove() - remove an object by name or id
 * @type:	KIPC_OBJ_*
 * @name:	the name, or NULL to remove by @id
 * @id:		the id
 *
 * The name is free at once; the type's unlinked() tells waiters.
 *
 * Return: 0, -ENOENT, or -EPERM when the caller is neither owner nor
 * creator and lacks CAP_SYS_ADMIN.
 */
int kipc_object_remove(enum kipc_obj_type type, const char *name, u64 id)
{
	return kipc_object_remove_also(type, name, id, NULL, false);
}

/**
 * kipc_object_remove_also() - kipc_object_remove(), checking a second party
 * @type:	KIPC_OBJ_*
 * @name:	the name, or NULL to remove by @id
 * @id:		the id
 * @also:	credentials that must pass the owner check too (NULL: none):
 *		the opener of the netlink socket a request came on
 * @also_admin:	@also has CAP_SYS_ADMIN
 *
 * Return: as kipc_object_remove(), -EPERM also when @also fails the check.
 */
int kipc_object_remove_also(enum kipc_obj_type type, const char *name, u64 id,
			    const struct cred *also, bool also_admin)
{
	struct kipc_object *obj;
	int ret = 0;

	mutex_lock(&kipc_reg_lock);
	obj = kipc_object_lookup_locked(type, name, id);
	if (!obj)
		ret = -ENOENT;
	else if (!kipc_object_owner_locked(obj) ||
		 (also && !also_admin &&
		  !uid_eq(also->euid, obj->uid) &&
		  !uid_eq(also->euid, obj->cuid)))
		ret = -EPERM;
	else
		kipc_object_unlink_locked(obj);
	mutex_unlock(&kipc_reg_lock);
	if (!ret)
		kipc_object_unlinked(obj);
	return ret;
}

/**
 * kipc_ioctl_remove() - KIPC_IOC_{QUEUE,MAILBOX,PIPE,SHM}_REMOVE
 * @arg:	struct kipc_queue_remove in user space
 * @type:	the type the command removes
 *
 * Return: 0, or the errors of struct kipc_queue_remove's checks, of the
 * name and of kipc_object_remove().
 */
long kipc_ioctl_remove(void __user *arg, enum kipc_obj_type type)
{
	struct kipc_queue_remove args;
	char *name = NULL;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_QUEUE_REMOVE_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (args.name_ptr) {
		name = kipc_name_from_user(args.name_ptr);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}
	ret = kipc_object_remove(type, name, args.id);
	kfree(name);
	return ret;
}

/**
 * kipc_object_unlink() - unlink @obj if it still is linked
 * @obj:	the object; the caller holds a reference
 *
 * What kipc_object_remove() does, without looking the object up and without
 * the permission check: for the kernel's own reasons to end an object (a
 * mailbox's owner exited).  The name is free at once; the type's unlinked()
 * tells waiters.
 *
 * Context: process context, kipc_reg_lock not held.
 * Return: true if this call unlinked @obj, false if it was not linked.
 */
bool kipc_object_unlink(struct kipc_object *obj)
{
	bool unlink;

	mutex_lock(&kipc_reg_lock);
	unlink = obj->linked;
	if (unlink)
		kipc_object_unlink_locked(obj);
	mutex_unlock(&kipc_reg_lock);
	if (unlink)
		kipc_object_unlinked(obj);
	return unlink;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_unlink);

/**
 * kipc_object_unlink_unopened() - take back a new object an open failed on
 * @obj:	an object the caller's open just linked
 * @nr_files:	the files of @obj the caller holds (none installed)
 *
 * An open that made several files (a pipe's two ends) or waits after
 * linking can fail after the object was linked.  If nobody else opened
 * @obj meanwhile, it is unlinked as a remove would, so that the failed call
 * leaves nothing behind; the caller's fput()s then free it.  If someone did,
 * it stays: they see it.
 *
 * Context: process context, kipc_reg_lock not held.
 */
void kipc_object_unlink_unopened(struct kipc_object *obj,
				 unsigned int nr_files)
{
	bool unlink;

	mutex_lock(&kipc_reg_lock);
	unlink = obj->linked && obj->nr_files == nr_files;
	if (unlink)
		kipc_object_unlink_locked(obj);
	mutex_unlock(&kipc_reg_lock);
	if (unlink)
		kipc_object_unlinked(obj);
}

/**
 * kipc_object_file_closed() - a file of @obj was released
 * @obj:	the object
 *
 * Drops the file's reference; the last file of an anonymous object
 * unlinks it.
 */
void kipc_object_file_closed(struct kipc_object *obj)
{
	bool unlink;

	mutex_lock(&kipc_reg_lock);
	obj->nr_files--;
	unlink = !obj->nr_files && !obj->name && obj->linked;
	if (unlink)
		kipc_object_unlink_locked(obj);
	mutex_unlock(&kipc_reg_lock);
	if (unlink)
		kipc_object_unlinked(obj);
	kipc_object_put(obj);
}

/**
 * kipc_object_remove_all() - unlink every object, at module exit
 *
 * No file is open (each holds a module reference), so unlinking drops the
 * last reference of each object, except one that a process-exit hook still
 * holds: such a hook is either taken off by the type's unlinked() (which
 * drops its reference) or its exited() is running or queued, and may be
 * unlinking the same object.  Hence:
 *
 * 1. each object is found and unlinked under kipc_reg_lock, so an object
 *    that exited() unlinked meanwhile is not unlinked twice;
 * 2. then the exit hooks that were running finish (kipc_proc_flush()),
 *    dropping their references; no new hook appears, as nothing is linked
 *    and no file is open to create anything;
 * 3. only then must every quota record be gone.
 */
void kipc_object_remove_all(void)
{
	struct kipc_object *obj;
	unsigned long id;

	for (;;) {
		mutex_lock(&kipc_reg_lock);
		id = 0;
		obj = xa_find(&kipc_objects, &id, ULONG_MAX, XA_PRESENT);
		if (obj)
			kipc_object_unlink_locked(obj);
		mutex_unlock(&kipc_reg_lock);
		if (!obj)
			break;
		kipc_object_unlinked(obj);
	}
	kipc_proc_flush();
	WARN_ON(!xa_empty(&kipc_users));
}

/**
 * kipc_mode_granted() - the MAY_READ and MAY_WRITE bits @mode grants
 * @mode:	permission bits
 * @owner:	the accessor is the owner or creator
 * @group:	the accessor is in the owner's or creator's group
 *
 * Like SysV ipcperms(): owner or creator bits, then group, then other.
 */
VISIBLE_IF_KUNIT int kipc_mode_granted(umode_t mode, bool owner, bool group)
{
	int granted = mode;

	if (owner)
		granted >>= 6;
	else if (group)
		granted >>= 3;
	return granted & (MAY_READ | MAY_WRITE);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_mode_granted);

/**
 * kipc_object_may_locked() - may the caller open @obj for @may?
 * @obj:	the object
 * @may:	MAY_READ and/or MAY_WRITE
 *
 * Like SysV ipcperms(): owner or creator bits, then group, then other;
 * CAP_IPC_OWNER overrides.
 */
bool kipc_object_may_locked(struct kipc_object *obj, int may)
{
	kuid_t euid = current_euid();
	int granted;

	lockdep_assert_held(&kipc_reg_lock);
	granted = kipc_mode_granted(obj->mode,
				    uid_eq(euid, obj->cuid) ||
				    uid_eq(euid, obj->uid),
				    in_group_p(obj->cgid) ||
				    in_group_p(obj->gid));
	if (!(may & ~granted & (MAY_READ | MAY_WRITE)))
		return true;
	return capable(CAP_IPC_OWNER);
}

/* in_group_p() for @cred rather than current's (its groups are sorted). */
static bool kipc_cred_in_group(const struct cred *cred, kgid_t gid)
{
	const struct group_info *gi = cred->group_info;
	unsigned int lo = 0, hi = gi->ngroups, mid;

	if (gid_eq(gid, cred->fsgid))
		return true;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (gid_gt(gid, gi->gid[mid]))
			lo = mid + 1;
		else if (gid_lt(gid, gi->gid[mid]))
			hi = mid;
		else
			return true;
	}
	return false;
}

/**
 * kipc_object_visible_locked() - may a reader with @cred see @obj's name?
 * @obj:	the object
 * @cred:	the reader's credentials
 * @cap_ipc_owner: the reader has CAP_IPC_OWNER
 *
 * The netlink family's rule: the owner or creator, CAP_IPC_OWNER, or
 * whomever the mode grants read or write.
 */
bool kipc_object_visible_locked(struct kipc_object *obj,
				const struct cred *cred, bool cap_ipc_owner)
{
	bool owner;

	lockdep_assert_held(&kipc_reg_lock);
	owner = uid_eq(cred->euid, obj->cuid) || uid_eq(cred->euid, obj->uid);
	if (owner || cap_ipc_owner)
		return true;
	return kipc_mode_granted(obj->mode, false,
				 kipc_cred_in_group(cred, obj->cgid) ||
				 kipc_cred_in_group(cred, obj->gid));
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_visible_locked);

/**
 * kipc_object_owner_locked() - may the caller remove or change @obj?
 * @obj:	the object
 *
 * Owner or creator, or CAP_SYS_ADMIN, as SysV IPC_RMID and IPC_SET.
 */
bool kipc_object_owner_locked(struct kipc_object *obj)
{
	kuid_t euid = current_euid();

	lockdep_assert_held(&kipc_reg_lock);
	return uid_eq(euid, obj->uid) || uid_eq(euid, obj->cuid) ||
	       capable(CAP_SYS_ADMIN);
}

/**
 * kipc_owner_set_init() - check the mode and owner fields of a set ioctl
 * @o:		out: what to apply with kipc_object_set_owner_locked()
 * @flags:	the ioctl's KIPC_SET_* flags (only MODE, UID and GID are used)
 * @mode:	its mode field
 * @uid:	its uid field, in the caller's user namespace
 * @gid:	its gid field, likewise
 *
 * Return: 0, or -EINVAL for mode bits outside 0777 or an id that does not
 * map into the kernel.
 */
int kipc_owner_set_init(struct kipc_owner_set *o, u32 flags, u32 mode,
			u32 uid, u32 gid)
{
	struct user_namespace *ns = current_user_ns();

	o->flags = flags & (KIPC_SET_MODE | KIPC_SET_UID | KIPC_SET_GID);
	o->mode = mode;
	o->uid = make_kuid(ns, uid);
	o->gid = make_kgid(ns, gid);
	if ((o->flags & KIPC_SET_MODE) && (mode & ~0777))
		return -EINVAL;
	if (((o->flags & KIPC_SET_UID) && !uid_valid(o->uid)) ||
	    ((o->flags & KIPC_SET_GID) && !gid_valid(o->gid)))
		return -EINVAL;
	return 0;
}

/**
 * kipc_object_set_owner_locked() - apply a checked mode and owner change
 * @obj:	the object; the caller checked kipc_object_owner_locked()
 * @o:		from kipc_owner_set_init()
 *
 * Context: kipc_reg_lock held.
 */
void kipc_object_set_owner_locked(struct kipc_object *obj,
				  const struct kipc_owner_set *o)
{
	lockdep_assert_held(&kipc_reg_lock);
	if (o->flags & KIPC_SET_MODE)
		obj->mode = o->mode;
	if (o->flags & KIPC_SET_UID)
		obj->uid = o->uid;
	if (o->flags & KIPC_SET_GID)
		obj->gid = o->gid;
}

/**
 * kipc_name_check() - is @name a valid object name?
 * @name:	the name, NUL-terminated within @len + 1 bytes
 * @len:	its length as strncpy_from_user() returned it
 *
 * A name is 1 to KIPC_NAME_MAX bytes without '/' or control characters.
 *
 * Return: 0, -EINVAL or -ENAMETOOLONG.
 */
int kipc_name_check(const char *name, long len)
{
	long i;

	if (len > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 ||
		    name[i] == 0x7f)
			return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_name_check);

/**
 * kipc_name_from_user() - copy and check an object name
 * @uptr:	user pointer to a NUL-terminated name
 *
 * Return: a kmalloc'ed copy, or ERR_PTR(-EFAULT, -EINVAL, -ENAMETOOLONG,
 * -ENOMEM).
 */
char *kipc_name_from_user(u64 uptr)
{
	long len, ret;
	char *name;

	name = kmalloc(KIPC_NAME_MAX + 1, GFP_KERNEL_ACCOUNT);
	if (!name)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(name, u64_to_user_ptr(uptr), KIPC_NAME_MAX + 1);
	ret = len < 0 ? len : kipc_name_check(name, len);
	if (ret) {
		kfree(name);
		return ERR_PTR(ret);
	}
	return name;
}

/* The caller's size word of a sized struct, checked against @minsize. */
static int kipc_args_size(const void __user *uarg, size_t minsize, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < minsize)
		return -EINVAL;
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	return 0;
}

/**
 * kipc_copy_args_from_user() - copy a sized argument struct in
 * @dst:	kernel struct
 * @ksize:	its size
 * @minsize:	size of the struct's first published version
 * @uarg:	user struct starting with a __u32 size
 *
 * Return: 0, -EFAULT, -EINVAL (size below @minsize), -E2BIG (unknown
 * nonzero tail, or over a page).
 */
int kipc_copy_args_from_user(void *dst, size_t ksize, size_t minsize,
			     const void __user *uarg)
{
	u32 usize;
	int ret;

	ret = kipc_args_size(uarg, minsize, &usize);
	if (ret)
		return ret;
	ret = copy_struct_from_user(dst, ksize, uarg, usize);
	if (ret)
		return ret;
	*(u32 *)dst = ksize;
	return 0;
}

/**
 * kipc_copy_args_to_user() - copy a sized output struct out
 * @uarg:	user struct starting with a __u32 size (the caller's sizeof)
 * @src:	kernel struct, fully initialized
 * @ksize:	its size
 * @minsize:	size of the struct's first published version
 *
 * Copies min(size, @ksize) bytes and zeroes the rest of the caller's struct.
 *
 * Return: 0, -EFAULT, -EINVAL (size below @minsize), -E2BIG (above a page).
 */
int kipc_copy_args_to_user(void __user *uarg, const void *src, size_t ksize,
			   size_t minsize)
{
	u32 usize;
	int ret;

	ret = kipc_args_size(uarg, minsize, &usize);
	if (ret)
		return ret;
	/* keep the caller's size word as it was */
	if (copy_to_user(uarg + sizeof(u32), src + sizeof(u32),
			 min_t(size_t, usize, ksize) - sizeof(u32)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

/*
 * Find or link the object of @req; on success it has a reference for a
 * file, or with @req->no_file it is @req->new (linked without a file, the
 * caller's reference is @new's own).  *@hit says which quota refused.
 */
static struct kipc_object *kipc_object_get_for_open(const struct kipc_open_req *req,
						    enum kipc_limit *hit)
{
	struct kipc_object *obj;
	int may = 0, ret;

	if (req->flags & KIPC_O_SEND)
		may |= MAY_WRITE;
	if (req->flags & KIPC_O_RECV)
		may |= MAY_READ;

	mutex_lock(&kipc_reg_lock);
	if (!req->name && req->new)
		obj = NULL;	/* anonymous create */
	else
		obj = kipc_object_lookup_locked(req->type, req->name, req->id);
	if (obj) {
		ret = -EEXIST;
		if ((req->flags & (KIPC_O_CREAT | KIPC_O_EXCL)) ==
		    (KIPC_O_CREAT | KIPC_O_EXCL))
			goto out_unlock;
		ret = -EACCES;
		if (!kipc_object_may_locked(obj, may))
			goto out_unlock;
		if (obj->ops->may_open) {
			ret = obj->ops->may_open(obj, req->flags);
			if (ret)
				goto out_unlock;
		}
		kipc_object_get(obj);
		obj->nr_files++;
	} else {
		ret = -ENOENT;
		if (!req->new)
			goto out_unlock;
		ret = kipc_object_link_hit_locked(req->new, req->charge, hit);
		if (ret)
			goto out_unlock;
		obj = req->new;
		if (req->no_file)
			obj->nr_files = 0;
		else
			kipc_object_get(obj);	/* the file's; @new's own is put below */
	}
	ret = 0;
out_unlock:
	mutex_unlock(&kipc_reg_lock);
	return ret ? ERR_PTR(ret) : obj;
}

/*
 * kipc_object_get_for_open(), again after the exit work ran when a quota
 * refused: an exited owner's objects are unlinked, and their quota
 * returned, by its exit work, and whoever saw it exit must find that done.
 * A failed attempt changed nothing.  A refusal that stays is a limit hit.
 */
static struct kipc_object *kipc_object_get_quota(const struct kipc_open_req *req)
{
	enum kipc_limit hit = KIPC_LIMIT_UNSPEC;
	struct kipc_object *obj;

	obj = kipc_object_get_for_open(req, &hit);
	if (obj == ERR_PTR(-EDQUOT)) {
		kipc_proc_flush();
		obj = kipc_object_get_for_open(req, &hit);
		if (obj == ERR_PTR(-EDQUOT))
			kipc_nl_limit_hit(hit, kipc_object_uapi_type(req->type),
					  0);
	}
	return obj;
}

/**
 * kipc_object_create() - create and link a named object without a file
 * @req:	@type, @name, @new and @charge as for kipc_object_open() with
 *		KIPC_O_CREAT|KIPC_O_EXCL, and @no_file set
 *
 * KIPC_CMD_OBJ_NEW's way to make a persistent object: the registry holds
 * it until it is removed.  @req->new is consumed in every case.
 *
 * Return: @req->new with a reference for the caller, or ERR_PTR(-EEXIST,
 * -EDQUOT, -ENOMEM, or the type's linking() error).
 */
struct kipc_object *kipc_object_create(const struct kipc_open_req *req)
{
	struct kipc_object *obj;

	if (WARN_ON_ONCE(!req->new || !req->name || !req->no_file ||
			 (req->flags & (KIPC_O_CREAT | KIPC_O_EXCL)) !=
			 (KIPC_O_CREAT | KIPC_O_EXCL)))
		obj = ERR_PTR(-EINVAL);
	else
		obj = kipc_object_get_quota(req);
	if (IS_ERR(obj))
		kipc_object_put(req->new);
	return obj;
}

/**
 * kipc_object_lookup() - find a linked object and take a reference
 * @type:	KIPC_OBJ_*, or KIPC_OBJ_NR_TYPES for any type (by @id)
 * @name:	the name, or NULL to look up by @id
 * @id:		the id
 *
 * An object its type says is dying is let go first, as for an open.
 *
 * Context: process context, kipc_reg_lock not held.
 * Return: the object with a reference (kipc_object_put() it), or NULL.
 */
struct kipc_object *kipc_object_lookup(enum kipc_obj_type type,
				       const char *name, u64 id)
{
	struct kipc_object *obj;

	mutex_lock(&kipc_reg_lock);
	obj = kipc_object_lookup_locked(type, name, id);
	if (obj)
		kipc_object_get(obj);
	mutex_unlock(&kipc_reg_lock);
	return obj;
}

/**
 * kipc_object_next_locked() - the linked object with the lowest id >= *@id
 * @id:		in: where to start; out: the object's id
 *
 * For walks in id order that drop kipc_reg_lock between objects: the
 * caller goes on from the object's id + 1.
 *
 * Return: the object, without a reference, or NULL when there is none.
 */
struct kipc_object *kipc_object_next_locked(u64 *id)
{
	struct kipc_object *obj;
	unsigned long index;

	lockdep_assert_held(&kipc_reg_lock);
	if (*id > ULONG_MAX)
		return NULL;
	index = *id;
	obj = xa_find(&kipc_objects, &index, ULONG_MAX, XA_PRESENT);
	if (obj)
		*id = index;
	return obj;
}

/* The O_* access mode and O_NONBLOCK of a file for KIPC_O_* @flags. */
static int kipc_object_fflags(unsigned int flags)
{
	int fflags = flags & KIPC_O_NONBLOCK ? O_NONBLOCK : 0;

	if ((flags & KIPC_O_SEND) && (flags & KIPC_O_RECV))
		fflags |= O_RDWR;
	else if (flags & KIPC_O_SEND)
		fflags |= O_WRONLY;
	else
		fflags |= O_RDONLY;
	return fflags;
}

/**
 * kipc_object_file_open() - open or create an object in a new file
 * @req:	what to open
 * @access:	KIPC_O_SEND and/or KIPC_O_RECV: the file's access mode (the
 *		permission check uses those of @req->flags)
 * @id_out:	user pointer receiving the object's id
 *
 * The file is not installed in any fd table.  Its private_data is the
 * object, which counts it in @nr_files and holds a reference for it; the
 * caller may replace private_data with per-file state that leads to the
 * object, as long as nothing can fail in between.  fput() undoes it: the
 * type's release calls kipc_object_file_closed() (a file whose private_data
 * is NULL was never complete).  @req->new is consumed in every case; a new
 * object's id is written out before it is linked.
 *
 * Return: the file, or ERR_PTR(-EEXIST, -ENOENT, -EACCES, -EDQUOT,
 * -EFAULT, -ENFILE, -ENOMEM, or the type's linking() or may_open() error).
 */
struct file *kipc_object_file_open(const struct kipc_open_req *req,
				   unsigned int access, u64 __user *id_out)
{
	unsigned int flags = (req->flags & ~KIPC_O_ALL_DIRS) | access;
	struct kipc_object *obj;
	struct file *file;
	int ret;

	if (req->new && put_user(req->new->id, id_out)) {
		ret = -EFAULT;
		goto out_put_new;
	}
	/* the file has no object until it is complete: release ignores it */
	file = anon_inode_getfile(req->fname, req->fops, NULL,
				  kipc_object_fflags(flags));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out_put_new;
	}
	obj = kipc_object_get_quota(req);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_put_file;
	}
	if (obj != req->new && put_user(obj->id, id_out)) {
		ret = -EFAULT;
		goto out_close;
	}
	file->private_data = obj;
	if (req->new)
		kipc_object_put(req->new);
	return file;

out_close:
	kipc_object_file_closed(obj);
out_put_file:
	fput(file);
out_put_new:
	if (req->new)
		kipc_object_put(req->new);
	return ERR_PTR(ret);
}

/**
 * kipc_object_file_more() - a further file for an object the caller holds
 * @obj:	the object; the caller holds one of its files (so an anonymous
 *		object is still linked)
 * @req:	its @fops and @fname are used
 * @access:	KIPC_O_SEND and/or KIPC_O_RECV, with KIPC_O_NONBLOCK: the
 *		file's mode (no permission check: the caller made it)
 *
 * Return: an uninstalled file as kipc_object_file_open() gives, or
 * ERR_PTR(-ENFILE, -ENOMEM).
 */
struct file *kipc_object_file_more(struct kipc_object *obj,
				   const struct kipc_open_req *req,
				   unsigned int access)
{
	struct file *file;

	file = anon_inode_getfile(req->fname, req->fops, NULL,
				  kipc_object_fflags(access));
	if (IS_ERR(file))
		return file;
	mutex_lock(&kipc_reg_lock);
	obj->nr_files++;
	kipc_object_get(obj);
	mutex_unlock(&kipc_reg_lock);
	file->private_data = obj;
	return file;
}

/**
 * kipc_object_open() - open or create an object and give it a new fd
 * @req:	what to open
 * @id_out:	user pointer receiving the object's id
 *
 * The fd is installed last, so a failure leaves nothing visible: a new
 * object's id is written out before it is linked.
 *
 * Return: the new fd, or -EEXIST, -ENOENT, -EACCES, -EDQUOT, -EFAULT,
 * -EMFILE, -ENFILE, -ENOMEM, or the type's linking() or may_open() error.
 */
int kipc_object_open(const struct kipc_open_req *req, u64 __user *id_out)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(req->flags & KIPC_O_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		if (req->new)
			kipc_object_put(req->new);
		return fd;
	}
	file = kipc_object_file_open(req, req->flags & KIPC_O_ALL_DIRS, id_out);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

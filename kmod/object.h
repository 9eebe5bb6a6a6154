/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc objects: the shape every IPC object shares (id, name, owner, mode,
 * reference count) and the registry that finds them.
 */
#ifndef KIPC_OBJECT_H
#define KIPC_OBJECT_H

#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kipc.h>

/**
 * DOC: registry locking
 *
 * kipc_reg_lock (a mutex) guards the registry: the id xarray, the name hash,
 * every object's @linked, @nr_files, owner and mode fields, and the per-user
 * quota records.  It is taken to create, open, remove, close and change the
 * attributes of an object: never on a send or receive path.  It is the
 * outermost kipc lock: an object's own lock (e.g. the queue's spinlock) nests
 * inside it, never the other way round.  The one exception is a pipe's
 * mutex, which is held across user copies: it is never taken with
 * kipc_reg_lock held, and KIPC_IOC_PIPE_SET takes kipc_reg_lock inside it
 * (see "pipe locking" in pipe.c).
 *
 * A lookup takes a reference (kref) under kipc_reg_lock and drops the lock.
 * The last reference is never dropped with kipc_reg_lock held, because the
 * release function takes it to return the quota.
 *
 * Linking and unlinking send the netlink family's KIPC_CMD_OBJ_NEW and
 * _OBJ_DEL events with kipc_reg_lock held, so that an object's events go
 * out in the order of its changes: kipc_nl_ev_lock (netlink.c) nests
 * inside it.  A netlink dump takes kipc_reg_lock once per object, to find
 * the next one and snapshot it, and calls the type's nl_fill() without it.
 */
extern struct mutex kipc_reg_lock;

/* The command without its size bits: the struct's size field rules. */
#define KIPC_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

enum kipc_obj_type {
	KIPC_OBJ_QUEUE,
	KIPC_OBJ_MAILBOX,
	KIPC_OBJ_PIPE,
	KIPC_OBJ_SHM,
	KIPC_OBJ_NR_TYPES
};

/**
 * struct kipc_user - what one user has created, for the per-user quotas
 * @uid:	the user (invariant)
 * @nr:		objects of each type charged (protected by kipc_reg_lock)
 * @bytes:	bytes charged, e.g. queue capacities (protected by kipc_reg_lock)
 *
 * A record exists while some object is charged to it.
 */
struct kipc_user {
	kuid_t uid;
	unsigned int nr[KIPC_OBJ_NR_TYPES];
	u64 bytes;
};

struct cred;
struct kipc_nl_ctx;
struct kipc_object;
struct sk_buff;

/**
 * struct kipc_create - what KIPC_CMD_OBJ_NEW creates
 * @name:	kmalloc'ed, checked name; the create function owns it
 * @mode:	permission bits
 * @max_msgs, @max_msgsize, @capacity: queue limits (0: the default), or
 *		the shm region's size (@capacity)
 */
struct kipc_create {
	char *name;
	u32 mode;
	u32 max_msgs;
	u32 max_msgsize;
	u64 capacity;
};

/**
 * struct kipc_object_ops - what differs between object types
 * @type:	KIPC_OBJ_*
 * @max_per_user: module parameter limiting objects of this type per user
 * @release:	free the object once the last reference is gone; called
 *		without kipc_reg_lock, after the quota was returned
 * @unlinked:	optional: the object just left the registry (removed, its last fd of
 *		an anonymous object closed, or kipc_object_unlink()): wake
 *		its waiters.  Called without kipc_reg_lock, while the
 *		registry's reference is still held.
 * @linking:	optional: a new object is being linked (kipc_reg_lock held,
 *		the last step that may fail): 0, or an errno and the object
 *		is not linked
 * @may_open:	optional: may the caller open this existing object with
 *		KIPC_O_* @flags?  Called with kipc_reg_lock held after the
 *		mode check: 0 or an errno
 * @dying:	optional: is this linked object about to be unlinked by the
 *		kernel (a mailbox whose owner exited)?  Called with
 *		kipc_reg_lock held; opening and removing by name or id then
 *		let that happen first (kipc_proc_flush()), so that a caller
 *		who saw the reason (waitpid() of the owner) no longer finds
 *		the object
 * @nl_fill:	optional: put the type's netlink attributes of @obj (see
 *		"Objects" in uapi/linux/kipc.h, KIPC_A_FLAGS included) into
 *		a message kipc_nl_msg_begin() started.  Called without
 *		kipc_reg_lock, with a reference, in process context; must
 *		not block on a lock held across a user copy.  0 or
 *		-EMSGSIZE
 */
struct kipc_object_ops {
	enum kipc_obj_type type;
	const unsigned int *max_per_user;
	void (*release)(struct kipc_object *obj);
	void (*unlinked)(struct kipc_object *obj);
	int (*linking)(struct kipc_object *obj);
	int (*may_open)(struct kipc_object *obj, unsigned int flags);
	bool (*dying)(struct kipc_object *obj);
	int (*nl_fill)(struct kipc_object *obj, struct sk_buff *skb,
		       const struct kipc_nl_ctx *ctx);
};

/**
 * struct kipc_object - the common head of every kipc object
 * @ops:	type operations (invariant)
 * @id:		unique id, never reused while the module is loaded (invariant)
 * @name:	NUL-terminated name, NULL when anonymous (invariant)
 * @name_node:	link in the name hash (protected by kipc_reg_lock)
 * @ref:	references: one for being linked, one per open file, one per
 *		transient lookup
 * @linked:	reachable by id and name (protected by kipc_reg_lock)
 * @nr_files:	open files (protected by kipc_reg_lock)
 * @uid, @gid:	owner (protected by kipc_reg_lock)
 * @mode:	permission bits, 0777 mask (protected by kipc_reg_lock)
 * @cuid, @cgid: creator (invariant)
 * @creator:	creating process (invariant, holds a pid reference)
 * @user:	quota record charged for this object (invariant)
 * @charge:	bytes charged to @user (protected by kipc_reg_lock)
 * @create_time: CLOCK_REALTIME ns of creation (invariant)
 */
struct kipc_object {
	const struct kipc_object_ops *ops;
	u64 id;
	char *name;
	struct hlist_node name_node;
	struct kref ref;
	bool linked;
	unsigned int nr_files;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	kuid_t cuid;
	kgid_t cgid;
	struct pid *creator;
	struct kipc_user *user;
	u64 charge;
	u64 create_time;
};

int kipc_object_init(struct kipc_object *obj, const struct kipc_object_ops *ops,
		     char *name, umode_t mode);
void kipc_object_destroy(struct kipc_object *obj);

static inline void kipc_object_get(struct kipc_object *obj)
{
	kref_get(&obj->ref);
}

void kipc_object_put(struct kipc_object *obj);

struct kipc_object *kipc_object_find_locked(enum kipc_obj_type type,
					    const char *name, u64 id);
int kipc_object_link_locked(struct kipc_object *obj, u64 charge);
int kipc_object_recharge_locked(struct kipc_object *obj, u64 charge);
int kipc_object_remove(enum kipc_obj_type type, const char *name, u64 id);
int kipc_object_remove_also(enum kipc_obj_type type, const char *name, u64 id,
			    const struct cred *also, bool also_admin);
long kipc_ioctl_remove(void __user *arg, enum kipc_obj_type type);
bool kipc_object_unlink(struct kipc_object *obj);
void kipc_object_unlink_unopened(struct kipc_object *obj,
				 unsigned int nr_files);
void kipc_object_file_closed(struct kipc_object *obj);
void kipc_object_remove_all(void);

bool kipc_object_may_locked(struct kipc_object *obj, int may);
bool kipc_object_visible_locked(struct kipc_object *obj,
				const struct cred *cred, bool cap_ipc_owner);
struct kipc_object *kipc_object_lookup(enum kipc_obj_type type,
				       const char *name, u64 id);
struct kipc_object *kipc_object_next_locked(u64 *id);
bool kipc_object_owner_locked(struct kipc_object *obj);

/**
 * struct kipc_owner_set - the mode and owner a set ioctl asks for
 * @flags:	which of them: KIPC_SET_MODE, KIPC_SET_UID, KIPC_SET_GID
 * @mode:	new permission bits
 * @uid, @gid:	new owner, mapped from the caller's user namespace
 */
struct kipc_owner_set {
	u32 flags;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
};

int kipc_owner_set_init(struct kipc_owner_set *o, u32 flags, u32 mode,
			u32 uid, u32 gid);
void kipc_object_set_owner_locked(struct kipc_object *obj,
				  const struct kipc_owner_set *o);

char *kipc_name_from_user(u64 uptr);

int kipc_name_check(const char *name, long len);
enum kipc_type kipc_object_uapi_type(enum kipc_obj_type type);
enum kipc_obj_type kipc_object_type_from_uapi(u32 type);

#if IS_ENABLED(CONFIG_KUNIT)
int kipc_mode_granted(umode_t mode, bool owner, bool group);
int kipc_user_charge(struct kipc_user *u, u64 old, u64 new, u64 limit);
#endif

int kipc_copy_args_from_user(void *dst, size_t ksize, size_t minsize,
			     const void __user *uarg);
int kipc_copy_args_to_user(void __user *uarg, const void *src, size_t ksize,
			   size_t minsize);

/**
 * struct kipc_open_req - what kipc_object_open() opens or creates
 * @type:	KIPC_OBJ_*
 * @flags:	KIPC_O_*
 * @name:	the name, or NULL to open by @id or create an anonymous object
 * @id:		the id to open when @name is NULL and KIPC_O_CREAT is clear
 * @new:	with KIPC_O_CREAT, a complete unlinked object to link if
 *		none exists; kipc_object_open() consumes its reference
 * @charge:	bytes to charge for @new
 * @no_file:	kipc_object_create(): link @new without a file
 * @fops:	file operations of the object's fds
 * @fname:	anon inode name, e.g. "[kipc-queue]"
 */
struct kipc_open_req {
	enum kipc_obj_type type;
	unsigned int flags;
	const char *name;
	u64 id;
	struct kipc_object *new;
	u64 charge;
	bool no_file;
	const struct file_operations *fops;
	const char *fname;
};

/* The direction bits of KIPC_O_* flags. */
#define KIPC_O_ALL_DIRS		(KIPC_O_SEND | KIPC_O_RECV)

int kipc_object_open(const struct kipc_open_req *req, u64 __user *id_out);
struct file *kipc_object_file_open(const struct kipc_open_req *req,
				   unsigned int access, u64 __user *id_out);
struct kipc_object *kipc_object_create(const struct kipc_open_req *req);
struct file *kipc_object_file_more(struct kipc_object *obj,
				   const struct kipc_open_req *req,
				   unsigned int access);

/* Module parameter (main.c): bytes charged per user, e.g. queue capacity. */
extern unsigned long kipc_bytes_per_user;

#endif /* KIPC_OBJECT_H */

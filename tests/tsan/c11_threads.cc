// ThreadSanitizer builds only (SHOPSTREAM_TSAN): C11 threads as the pthread calls they wrap.
// librdkafka starts its threads with thrd_create and locks with mtx_lock. glibc implements
// those on its internal pthread functions, which ThreadSanitizer does not intercept: a thread
// it never saw start crashes its runtime, and locks it cannot see look like races. Defined in
// the executable, these take the place of glibc's for every library, and reach the pthread
// functions that ThreadSanitizer does intercept.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <new>

namespace {

struct Start {
  thrd_start_t function;
  void* argument;
};

void* Run(void* start) {
  const Start s = *static_cast<Start*>(start);
  delete static_cast<Start*>(start);
  return reinterpret_cast<void*>(static_cast<intptr_t>(s.function(s.argument)));
}

int Result(int error) {
  if (error == 0) return thrd_success;
  if (error == ENOMEM) return thrd_nomem;
  if (error == ETIMEDOUT) return thrd_timedout;
  if (error == EBUSY) return thrd_busy;
  return thrd_error;
}

pthread_mutex_t* M(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* C(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  auto* start = new (std::nothrow) Start{function, argument};
  if (start == nullptr) return thrd_nomem;
  const int error = pthread_create(thread, nullptr, Run, start);
  if (error != 0) delete start;
  return Result(error);
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  const int error = pthread_join(thread, &value);
  if (error == 0 && result != nullptr)
    *result = static_cast<int>(reinterpret_cast<intptr_t>(value));
  return Result(error);
}

int thrd_detach(thrd_t thread) { return Result(pthread_detach(thread)); }

int mtx_init(mtx_t* mutex, int type) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
  const int error = pthread_mutex_init(M(mutex), &attributes);
  pthread_mutexattr_destroy(&attributes);
  return Result(error);
}

int mtx_lock(mtx_t* mutex) { return Result(pthread_mutex_lock(M(mutex))); }
int mtx_trylock(mtx_t* mutex) { return Result(pthread_mutex_trylock(M(mutex))); }
int mtx_timedlock(mtx_t* mutex, const struct timespec* until) {
  return Result(pthread_mutex_timedlock(M(mutex), until));
}
int mtx_unlock(mtx_t* mutex) { return Result(pthread_mutex_unlock(M(mutex))); }
void mtx_destroy(mtx_t* mutex) { pthread_mutex_destroy(M(mutex)); }

int cnd_init(cnd_t* cond) { return Result(pthread_cond_init(C(cond), nullptr)); }
int cnd_signal(cnd_t* cond) { return Result(pthread_cond_signal(C(cond))); }
int cnd_broadcast(cnd_t* cond) { return Result(pthread_cond_broadcast(C(cond))); }
int cnd_wait(cnd_t* cond, mtx_t* mutex) { return Result(pthread_cond_wait(C(cond), M(mutex))); }
int cnd_timedwait(cnd_t* cond, mtx_t* mutex, const struct timespec* until) {
  return Result(pthread_cond_timedwait(C(cond), M(mutex), until));
}
void cnd_destroy(cnd_t* cond) { pthread_cond_destroy(C(cond)); }

}  // extern "C"

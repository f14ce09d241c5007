#include "pipeline/stall_watch.h"

#include <ctime>

#include "common/log.h"

namespace shopstream::pipeline {
namespace {

// "YYYY-MM-DD HH:MM:SS" of the wall clock, for a stall before any stream time is known.
std::string WallClockUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[20];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  return text;
}

double Seconds(StallWatch::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

StallWatch::StallWatch(std::string rule, Clock::duration after, StoreOpener open_store,
                       std::function<Clock::time_point()> now)
    : rule_(std::move(rule)),
      after_(after),
      open_store_(std::move(open_store)),
      now_(std::move(now)) {}

StallWatch::~StallWatch() { Stop(); }

void StallWatch::Start(Clock::duration every) {
  thread_ = std::thread([this, every] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      wake_.wait_for(lock, every, [&] { return stop_; });
      if (stop_) break;
      lock.unlock();
      Look();
      lock.lock();
    }
  });
}

void StallWatch::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StallWatch::OnChange(std::function<void(const store::AlertRecord&)> callback) {
  on_change_ = std::move(callback);
}

void StallWatch::Submitted() {
  std::lock_guard lock(mu_);
  if (waiting_++ == 0) since_ = now_();  // an idle stream's last commit does not count
}

void StallWatch::Committed(const std::string& stream_time) {
  std::lock_guard lock(mu_);
  if (waiting_ > 0) --waiting_;
  since_ = now_();
  if (!stream_time.empty()) stream_time_ = stream_time;
  if (firing_) committed_ = true;
}

void StallWatch::RestoreFiring() {
  std::lock_guard lock(mu_);
  firing_ = true;
}

void StallWatch::Look() {
  {
    std::lock_guard lock(mu_);
    const Clock::duration idle = since_ ? now_() - *since_ : Clock::duration::zero();
    const std::string at = stream_time_.empty() ? WallClockUtc() : stream_time_;
    // value: seconds without a commit; threshold: the rule's; baseline: batches waiting.
    if (!firing_ && waiting_ > 0 && idle >= after_) {
      firing_ = true;
      committed_ = false;
      unrecorded_.push_back({rule_, "fired", at, "commits", Seconds(idle), Seconds(after_),
                             static_cast<double>(waiting_)});
      LogWarn("alert " + rule_ + " fired: no commit for " + std::to_string(Seconds(idle)) +
              " s while " + std::to_string(waiting_) + " batches wait");
    } else if (firing_ && committed_) {
      firing_ = false;
      unrecorded_.push_back({rule_, "resolved", at, "commits", Seconds(idle), Seconds(after_),
                             static_cast<double>(waiting_)});
      LogInfo("alert " + rule_ + " resolved: the stream commits again");
    }
  }
  if (unrecorded_.empty()) return;
  Status s = Status::Ok();
  if (!store_) {
    auto opened = open_store_();
    if (opened.ok()) s = (*opened)->Init();
    if (!opened.ok()) s = opened.status();
    if (s.ok()) store_ = std::move(opened).value();
  }
  if (s.ok()) s = store_->RecordAlerts(unrecorded_);
  if (!s.ok()) {
    if (!warned_) LogWarn("alerts: " + s.message() + " (the stall watch tries again)");
    warned_ = true;
    return;
  }
  warned_ = false;
  if (on_change_) {
    for (const store::AlertRecord& r : unrecorded_) on_change_(r);
  }
  unrecorded_.clear();
}

}  // namespace shopstream::pipeline

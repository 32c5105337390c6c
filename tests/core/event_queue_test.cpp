#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/core/event_queue.hpp"
#include "dhcpsim/core/simulation.hpp"

using namespace dhcpsim::core;
using namespace dhcpsim::core::literals;

// Events run in time order, and events at the same instant run first-in first-out.
TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue q;
  std::vector<std::string> log;
  q.schedule_at(Time::zero() + 5_s, [&] { log.push_back("b5"); });
  q.schedule_at(Time::zero() + 1_s, [&] { log.push_back("a1"); });
  q.schedule_at(Time::zero() + 5_s, [&] { log.push_back("c5"); });
  q.schedule_at(Time::zero() + 5_s, [&] { log.push_back("d5"); });
  q.schedule_at(Time::zero() + 3_s, [&] { log.push_back("e3"); });
  q.run();
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "e3", "b5", "c5", "d5"}));
  EXPECT_EQ(q.events_executed(), 5u);
  EXPECT_EQ(q.now(), Time::zero() + 5_s);
}

// An event scheduled for "now" from inside an event runs after those already queued for now.
TEST(EventQueue, ZeroDelayFromInsideRunsAfterQueuedPeers) {
  EventQueue q;
  std::vector<int> log;
  q.schedule_at(Time::zero() + 1_s, [&] {
    log.push_back(1);
    q.schedule_in(0_s, [&] { log.push_back(3); });
  });
  q.schedule_at(Time::zero() + 1_s, [&] { log.push_back(2); });
  q.run();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

// now() inside an event is the event's time; schedule_in is relative to it.
TEST(EventQueue, NowAndScheduleIn) {
  EventQueue q;
  std::vector<int64_t> seen;
  q.schedule_at(Time::zero() + 10_ms, [&] {
    seen.push_back(q.now().ns());
    q.schedule_in(250_us, [&] { seen.push_back(q.now().ns()); });
  });
  q.run();
  EXPECT_EQ(seen, (std::vector<int64_t>{10'000'000, 10'250'000}));
}

// cancel() removes a pending event, is idempotent, and never touches a reused slot.
TEST(EventQueue, CancelIsLazyAndSafe) {
  EventQueue q;
  int ran = 0;
  EventId a = q.schedule_in(1_s, [&] { ran += 1; });
  EventId b = q.schedule_in(2_s, [&] { ran += 10; });
  EXPECT_TRUE(q.is_pending(a));
  EXPECT_TRUE(q.cancel(a));
  EXPECT_FALSE(q.cancel(a));
  EXPECT_FALSE(q.is_pending(a));
  EXPECT_EQ(q.pending(), 1u);
  q.run();
  EXPECT_EQ(ran, 10);
  EXPECT_FALSE(q.cancel(b));  // already ran
  // The freed slots are reused; the old ids must not cancel the new events.
  EventId c = q.schedule_in(1_s, [&] { ran += 100; });
  EXPECT_FALSE(q.cancel(a));
  EXPECT_FALSE(q.cancel(b));
  EXPECT_TRUE(q.is_pending(c));
  q.run();
  EXPECT_EQ(ran, 110);
  EXPECT_FALSE(q.cancel(EventId{}));
}

// An event cancelling itself while running is a no-op; cancelling a later one works.
TEST(EventQueue, CancelFromInsideAnEvent) {
  EventQueue q;
  int ran = 0;
  EventId later;
  EventId self;
  self = q.schedule_in(1_s, [&] {
    EXPECT_FALSE(q.cancel(self));
    EXPECT_TRUE(q.cancel(later));
    ran += 1;
  });
  later = q.schedule_in(2_s, [&] { ran += 10; });
  q.run();
  EXPECT_EQ(ran, 1);
}

// run_until runs events up to and including the limit, then sets the clock to it.
TEST(EventQueue, RunUntil) {
  EventQueue q;
  std::vector<int> log;
  q.schedule_at(Time::zero() + 1_s, [&] { log.push_back(1); });
  q.schedule_at(Time::zero() + 2_s, [&] { log.push_back(2); });
  q.schedule_at(Time::zero() + 3_s, [&] { log.push_back(3); });
  EXPECT_TRUE(q.run_until(Time::zero() + 2_s));
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  EXPECT_EQ(q.now(), Time::zero() + 2_s);
  EXPECT_TRUE(q.run_until(Time::zero() + 10_s));
  EXPECT_EQ(q.now(), Time::zero() + 10_s);
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

// stop() from an event ends run()/run_until() after that event.
TEST(EventQueue, StopFromInside) {
  EventQueue q;
  int ran = 0;
  q.schedule_in(1_s, [&] { ++ran; q.stop(); });
  q.schedule_in(2_s, [&] { ++ran; });
  EXPECT_FALSE(q.run_until(Time::zero() + 5_s));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(q.now(), Time::zero() + 1_s);
  q.run();
  EXPECT_EQ(ran, 2);
}

namespace {
/// An event with a touch() member: runs `f`, and counts its touches, each of which
/// prefetches a long-stale address.
template <class F>
struct Touched {
  F f;
  int* touches = nullptr;
  void operator()() { f(); }
  void touch() const {
    if (touches != nullptr) ++*touches;
    __builtin_prefetch(reinterpret_cast<const void*>(uintptr_t(0x10) << 40));
  }
};
template <class F>
Touched<F> touched(F f, int* touches = nullptr) {
  return {std::move(f), touches};
}
}  // namespace

// Callables larger than the inline storage work, and resources of unrun events are freed.
TEST(EventQueue, LargeCallablesAndCleanup) {
  auto token = std::make_shared<int>(7);
  {
    EventQueue q;
    std::array<int64_t, 32> big{};
    big[31] = 42;
    int64_t got = 0;
    q.schedule_in(1_s, [big, &got] { got = big[31]; });
    q.schedule_in(2_s, [token] {});  // never runs
    q.schedule_in(3_s, [token, big] {});  // boxed, never runs
    q.schedule_in(4_s, touched([token] {}));  // with touch(), never runs
    EXPECT_EQ(token.use_count(), 4);
    q.run_until(Time::zero() + 1_s);
    EXPECT_EQ(got, 42);
  }
  EXPECT_EQ(token.use_count(), 1);  // the queue destroyed the pending callables
}

// Re-arming a timer many times (cancel + schedule) keeps the heap and slab bounded.
TEST(EventQueue, RearmedTimersDoNotPileUp) {
  EventQueue q;
  constexpr int kTimers = 5000;
  std::vector<EventId> ids(kTimers);
  for (int i = 0; i < kTimers; ++i) ids[i] = q.schedule_in(hours(1) + seconds(i), [] {});
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < kTimers; ++i) {
      ASSERT_TRUE(q.cancel(ids[i]));
      ids[i] = q.schedule_in(hours(1) + seconds(round + i), [] {});
    }
  }
  EXPECT_EQ(q.pending(), size_t(kTimers));
  EXPECT_LE(q.heap_size(), size_t(2 * kTimers + 1100));
  EXPECT_LE(q.slot_capacity(), size_t(2 * kTimers + 1100 + 4096));
  q.run();
  EXPECT_EQ(q.events_executed(), uint64_t(kTimers));
}

// A long random mix of schedules and cancels runs exactly the uncancelled events in order.
TEST(EventQueue, RandomScheduleCancelMatchesModel) {
  EventQueue q;
  Rng rng(99);
  struct Expect { int64_t t; uint64_t seq; int id; };
  std::vector<Expect> model;
  std::vector<EventId> ids;
  std::vector<int> ran;
  int touches = 0;
  uint64_t seq = 0;
  for (int i = 0; i < 20000; ++i) {
    int64_t t = rng.uniform_int(0, 1000);
    int id = i;
    // Every other event has a touch() (prefetching a long-stale address): touches must
    // change neither the order nor what runs.
    auto record = [&ran, id] { ran.push_back(id); };
    if (i % 2 == 0)
      ids.push_back(q.schedule_at(Time::from_ns(t), record));
    else
      ids.push_back(q.schedule_at(Time::from_ns(t), touched(record, &touches)));
    model.push_back({t, seq++, id});
    if (rng.bernoulli(0.4)) {
      int victim = static_cast<int>(rng.below(ids.size()));
      if (q.cancel(ids[victim])) {
        std::erase_if(model, [&](const Expect& e) { return e.id == victim; });
      }
    }
  }
  std::stable_sort(model.begin(), model.end(), [](auto& a, auto& b) { return a.t < b.t; });
  q.run();
  EXPECT_GT(touches, 0);  // the queue did touch events ahead of running them
  ASSERT_EQ(ran.size(), model.size());
  for (size_t i = 0; i < ran.size(); ++i) ASSERT_EQ(ran[i], model[i].id) << i;
}

// Scheduling in the past is a bug: the process aborts naming the invariant.
TEST(EventQueueDeathTest, SchedulingInThePastAborts) {
  EXPECT_DEATH(
      {
        EventQueue q;
        q.run_until(Time::zero() + 10_s);
        q.schedule_at(Time::zero() + 1_s, [] {});
      },
      "may not be scheduled in the past");
}

// Two simulations run side by side without sharing anything.
TEST(Simulation, TwoSideBySide) {
  Simulation a(1), b(2);
  int na = 0, nb = 0;
  a.schedule_in(1_s, [&] { ++na; });
  b.schedule_in(2_s, [&] { ++nb; });
  a.run();
  EXPECT_EQ(na, 1);
  EXPECT_EQ(nb, 0);
  EXPECT_EQ(b.now(), Time::zero());
  b.run();
  EXPECT_EQ(nb, 1);
  EXPECT_NE(a.stream("x").next_u64(), b.stream("x").next_u64());
}

// clear() drops pending events without running them and frees what they hold.
TEST(EventQueue, ClearDropsPendingEvents) {
  auto token = std::make_shared<int>(1);
  EventQueue q;
  int ran = 0;
  q.schedule_in(1_s, [token, &ran] { ++ran; });
  EventId b = q.schedule_in(2_s, [&ran] { ++ran; });
  q.cancel(b);
  EXPECT_EQ(token.use_count(), 2);
  q.clear();
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(q.heap_size(), 0u);
  q.run();
  EXPECT_EQ(ran, 0);
  q.schedule_in(1_s, [&ran] { ++ran; });
  q.run();
  EXPECT_EQ(ran, 1);
}

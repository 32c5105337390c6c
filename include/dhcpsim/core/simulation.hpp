#pragma once
// A Simulation owns the clock, the event queue and the run seed: no global state, so two
// simulations can run side by side in one process (tests, parallel replications).

#include <cstdint>
#include <string_view>
#include <utility>

#include "dhcpsim/core/event_queue.hpp"
#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"

namespace dhcpsim::core {

class Simulation {
 public:
  explicit Simulation(uint64_t seed) : seed_(seed) {}
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  uint64_t seed() const { return seed_; }
  Time now() const { return queue_.now(); }
  EventQueue& queue() { return queue_; }
  const EventQueue& queue() const { return queue_; }

  /// A fresh random stream named `name` (and `index`), derived from the run seed.
  Rng stream(std::string_view name, uint64_t index = 0) const {
    return Rng::stream(seed_, name, index);
  }
  /// A stateless draw keyed by this run's seed and (a, b).
  uint64_t counter_draw(uint64_t a, uint64_t b) const { return counter_hash(seed_, a, b); }

  template <class F>
  EventId schedule_at(Time t, F&& fn) { return queue_.schedule_at(t, std::forward<F>(fn)); }
  template <class F>
  EventId schedule_in(Duration d, F&& fn) { return queue_.schedule_in(d, std::forward<F>(fn)); }
  bool cancel(EventId id) { return queue_.cancel(id); }
  bool run_until(Time t) { return queue_.run_until(t); }
  void run() { queue_.run(); }
  void stop() { queue_.stop(); }

 private:
  uint64_t seed_;
  EventQueue queue_;
};

}  // namespace dhcpsim::core

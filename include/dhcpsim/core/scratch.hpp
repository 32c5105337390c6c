#pragma once
// Reusable vectors for the actions a protocol engine hands back, instead of a fresh
// allocation on every call.

#include <cstddef>
#include <utility>
#include <vector>

namespace dhcpsim::core {

/// Keeps emptied vectors with their capacity. `take()` lends one; it comes back cleared
/// when the loan ends. A loan taken while another is out (handling one action starts a
/// second engine call) gets a vector of its own, so loans nest freely.
///
/// The point is the allocator: a DHCP action holds a whole message (about 1.5 KB), so a
/// vector of them is a block glibc serves from its slow path, twice per engine call.
template <class T>
class ScratchPool {
 public:
  class Loan {
   public:
    explicit Loan(ScratchPool& pool) : pool_(&pool) {
      if (!pool.free_.empty()) {
        v_ = std::move(pool.free_.back());
        pool.free_.pop_back();
      }
    }
    ~Loan() {
      v_.clear();
      // Never allocates here: a vector that finds the shelf full is simply freed.
      if (pool_->free_.size() < pool_->free_.capacity()) pool_->free_.push_back(std::move(v_));
    }
    Loan(const Loan&) = delete;
    Loan& operator=(const Loan&) = delete;

    std::vector<T>& operator*() { return v_; }
    std::vector<T>* operator->() { return &v_; }

   private:
    ScratchPool* pool_;
    std::vector<T> v_;
  };

  explicit ScratchPool(std::size_t shelf = 8) { free_.reserve(shelf); }
  ScratchPool(const ScratchPool&) = delete;
  ScratchPool& operator=(const ScratchPool&) = delete;

  /// A cleared vector, given back when the loan goes out of scope (guaranteed elision:
  /// the loan is built in place).
  Loan take() { return Loan(*this); }

  /// Vectors on the shelf (not on loan).
  std::size_t shelved() const { return free_.size(); }

 private:
  std::vector<std::vector<T>> free_;
};

}  // namespace dhcpsim::core

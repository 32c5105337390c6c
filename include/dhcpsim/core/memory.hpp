#pragma once
// Storage for the big arrays of big runs (hosts, interfaces, lease tables).

#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace dhcpsim::core {

/// Blocks of 2 MiB and more are 2 MiB-aligned and marked for transparent huge pages where
/// the OS has them (Linux madvise(MADV_HUGEPAGE)); smaller blocks come from operator new.
/// A hint only: it changes no value. A million hosts or leases are touched at random, and
/// with 4 KiB pages most of those touches also miss the TLB (bench/README.md: about 6 %
/// of the campus-1m wall time).
void* huge_page_allocate(std::size_t bytes);
void huge_page_free(void* p, std::size_t bytes) noexcept;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(huge_page_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { huge_page_free(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

/// A std::vector whose storage is a HugePageAllocator block.
template <class T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

/// Faults in the pages of big blocks on a helper thread, ahead of the thread that fills
/// them. A page's first write costs the kernel zeroing it: for the hosts and interfaces
/// of a million clients (640 MB) that is 0.2 to 1.7 s on the machine of bench/README.md.
///
/// The helper never reads or writes the memory: it asks the kernel to map the pages
/// writable (Linux MADV_POPULATE_WRITE), which leaves their contents as they are, so it
/// cannot race with the owner filling them. Where the kernel does not have it, nothing
/// happens. Ranges are warmed back to front, interleaved in proportion to their sizes:
/// the owner fills them front to back and faults in its own pages until the two meet,
/// so neither waits on a page the other is zeroing (warming front to back, the owner
/// soon caught up with the helper and waited behind it whenever faulting was slow).
class PageWarmer {
 public:
  PageWarmer() = default;
  PageWarmer(const PageWarmer&) = delete;
  PageWarmer& operator=(const PageWarmer&) = delete;
  /// Waits for the helper: destroy the warmer before freeing the blocks it warms.
  ~PageWarmer();

  /// Starts warming (after the previous call's warming has finished).
  void start(std::vector<std::pair<void*, std::size_t>> ranges);
  /// Waits until every range is warmed.
  void wait();

 private:
  std::thread helper_;
};

}  // namespace dhcpsim::core

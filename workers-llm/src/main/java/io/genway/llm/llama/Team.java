package io.genway.llm.llama;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one data-parallel section at a time: {@link #run} hands out item indices one
 * by one and returns when every item is done. The calling thread is member 0 and works too; a helper that is slow
 * to wake (the machine is shared) simply takes fewer items or none, and the caller never waits for a helper that
 * has not started an item. Idle helpers spin briefly, then park, so that back-to-back sections (a decode step has
 * several per layer) rarely pay a wake-up. Sections are serialized: engines sharing a team take turns.
 */
final class Team {
    /** Gives each item to exactly one member; {@code member} indexes per-member scratch. */
    @FunctionalInterface
    interface Body {
        void run(int member, int item);
    }

    private static final int SPINS = 20_000;

    /** One member per available processor. */
    static final Team SHARED = new Team(Runtime.getRuntime().availableProcessors());

    private final int size;
    private final Thread[] helpers;
    private volatile Section current;

    /** One section's items; published whole, so a helper never mixes two sections. */
    private static final class Section {
        final Body body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Section(Body body, int count) {
            this.body = body;
            this.count = count;
        }

        void work(int member) {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    if (failure == null) body.run(member, i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    Team(int size) {
        if (size < 1) throw new IllegalArgumentException("a team needs at least one member, was " + size);
        this.size = size;
        this.helpers = new Thread[size - 1];
        for (int i = 0; i < helpers.length; i++) {
            int member = i + 1;
            helpers[i] = Thread.ofPlatform().name("llama-team-" + member).daemon().start(() -> helperLoop(member));
        }
    }

    int size() {
        return size;
    }

    /** Runs {@code body} for items [0, count), spread over the team when {@code parallel}, else on the caller. */
    synchronized void run(int count, boolean parallel, Body body) {
        if (!parallel || size == 1 || count < 2) {
            for (int i = 0; i < count; i++) body.run(0, i);
            return;
        }
        Section s = new Section(body, count);
        current = s;
        for (Thread t : helpers) LockSupport.unpark(t);
        s.work(0);
        for (int spins = 0; s.done.get() < count; spins++) {
            if (spins < SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
        current = null;
        Throwable f = s.failure;
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException(f);
    }

    private void helperLoop(int member) {
        Section last = null;
        while (true) {
            Section s = current;
            for (int spins = 0; (s == null || s == last) && spins < SPINS; spins++) {
                Thread.onSpinWait();
                s = current;
            }
            while (s == null || s == last) {
                LockSupport.park(this);
                s = current;
            }
            last = s;
            s.work(member);
        }
    }
}

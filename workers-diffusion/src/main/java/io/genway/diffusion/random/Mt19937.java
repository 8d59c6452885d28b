package io.genway.diffusion.random;

/**
 * The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998) with the reference {@code init_genrand} seeding, which
 * is what PyTorch's CPU generator runs underneath. Not thread-safe: one generator belongs to one run.
 */
final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    /** Only the low 32 bits of the seed count, as in torch ({@code manual_seed(-1)} equals {@code 2**32 - 1}). */
    Mt19937(long seed) {
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            int previous = state[i - 1];
            state[i] = 1812433253 * (previous ^ (previous >>> 30)) + i;
        }
        next = N;
    }

    /** The next 32 random bits, as an unsigned value stored in an int. */
    int nextInt() {
        if (next >= N) twist();
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            int mixed = state[(i + M) % N] ^ (y >>> 1);
            state[i] = (y & 1) == 0 ? mixed : mixed ^ MATRIX_A;
        }
        next = 0;
    }
}

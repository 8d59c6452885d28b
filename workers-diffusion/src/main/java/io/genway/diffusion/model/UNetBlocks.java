package io.genway.diffusion.model;

import java.util.List;
import java.util.Set;

/** What every UNet and VAE config shares: one block type per resolution level, and group norms that fit them. */
final class UNetBlocks {
    private UNetBlocks() {}

    static void check(List<String> down, List<String> up, List<Integer> channels, int normGroups) {
        if (channels.isEmpty()) throw new IllegalArgumentException("block_out_channels must not be empty");
        if (down.size() != channels.size()) {
            throw new IllegalArgumentException("down_block_types has " + down.size() + " blocks but block_out_channels"
                    + " has " + channels.size());
        }
        if (up.size() != channels.size()) {
            throw new IllegalArgumentException("up_block_types has " + up.size() + " blocks but block_out_channels has "
                    + channels.size());
        }
        if (normGroups < 1) throw new IllegalArgumentException("norm_num_groups must be >= 1, was " + normGroups);
        for (int width : channels) {
            if (width < 1 || width % normGroups != 0) {
                throw new IllegalArgumentException("norm_num_groups " + normGroups + " must divide every"
                        + " block_out_channels entry, not " + width);
            }
        }
    }

    /** A config written for another class would be read with the wrong defaults, so it must say which it is. */
    static void requireClass(ConfigJson json, String className) {
        String actual = json.string("_class_name", className);
        if (!actual.equals(className)) throw json.unsupported("_class_name", actual, Set.of(className));
    }
}

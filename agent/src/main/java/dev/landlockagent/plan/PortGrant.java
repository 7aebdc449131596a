package dev.landlockagent.plan;

import dev.landlockagent.landlock.AccessNet;

/** Landlock net-port rules to add: {@code right} on every port from {@code from} to {@code to}. */
public record PortGrant(AccessNet right, int from, int to, String origin) {
    public int count() {
        return to - from + 1;
    }
}

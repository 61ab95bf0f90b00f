package dev.handoff.gateway;

/** The provider names of the contract. */
public final class Providers {

    public static final String CURSOR = "cursor";
    public static final String LOCAL = "local";

    private Providers() {
    }
}

package com.example.notes;

import dev.landlockagent.junit.Sandboxed;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The project's own annotation: its tests run confined by the policy the project ships as a test resource. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Sandboxed(policy = "classpath:notes-policy.json", failOnDenial = true)
@interface NotesPolicy {
}

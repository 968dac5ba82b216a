package org.jenkinsci.plugins.workflow.libs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Test stand-in for Jenkins' {@code @Library} annotation (workflow-cps-global-lib), so the vars harness can
 * compile a Jenkinsfile that starts with {@code @Library('berth') _}. Jenkins itself is not on this classpath.
 */
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.LOCAL_VARIABLE, ElementType.FIELD, ElementType.TYPE, ElementType.METHOD, ElementType.PACKAGE})
public @interface Library {
  String[] value();

  boolean changelog() default true;
}

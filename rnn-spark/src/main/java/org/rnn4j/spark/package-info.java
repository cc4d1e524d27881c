/**
 * For users who train and score rnn4j models on an Apache Spark cluster. {@link org.rnn4j.spark.SparkTrainer}
 * trains any module tree data parallel (synchronous with {@code treeAggregate} or a barrier stage, or with
 * parameter averaging), checkpointing from the driver in {@code Fit}'s format;
 * {@link org.rnn4j.spark.RnnModel} is a Spark ML {@code Transformer} (and SQL UDF) that scores a column
 * with a self-describing model file. Models, optimizers, schedules and losses reach the executors as
 * serializable factories ({@link org.rnn4j.spark.ModelFactory}, {@link org.rnn4j.spark.OptimizerFactory},
 * {@link org.rnn4j.spark.ScheduleFactory}, {@link org.rnn4j.spark.ReplicaLoss}).
 */
package org.rnn4j.spark;

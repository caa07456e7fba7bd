from rest_framework import serializers

from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "is_university"]


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "organization", "name"]


class AcademicLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcademicLevel
        fields = ["id", "name"]


class AcademicFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcademicField
        fields = ["id", "name"]

from rest_framework import viewsets

from app.accounts import serializers
from app.accounts.models import AcademicField, AcademicLevel, Domain, Organization
from app.core.permissions import IsAdminOrReadOnly


class OrganizationViewSet(viewsets.ModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    permission_classes = [IsAdminOrReadOnly]


class DomainViewSet(viewsets.ModelViewSet):
    queryset = Domain.objects.all()
    serializer_class = serializers.DomainSerializer
    permission_classes = [IsAdminOrReadOnly]


class AcademicLevelViewSet(viewsets.ModelViewSet):
    queryset = AcademicLevel.objects.all()
    serializer_class = serializers.AcademicLevelSerializer
    permission_classes = [IsAdminOrReadOnly]


class AcademicFieldViewSet(viewsets.ModelViewSet):
    queryset = AcademicField.objects.all()
    serializer_class = serializers.AcademicFieldSerializer
    permission_classes = [IsAdminOrReadOnly]
